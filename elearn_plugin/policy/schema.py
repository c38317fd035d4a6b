"""The policy as frozen dataclasses: every number of POLICY.md, already validated.

Pure module (no Django): the rules in `elearn_plugin.rules` take these objects as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from elearn_plugin.rules.rankings import EXEMPT_CHOICES, TIE_CHOICES

SharingAction = Literal["flag", "suspend"]
WindowMode = Literal["flag", "block"]
WeekKind = Literal["any", "big", "small"]
PeriodKind = Literal["month", "quarter", "half_year", "year"]

SHARING_ACTIONS: tuple[str, ...] = ("flag", "suspend")
WINDOW_MODES: tuple[str, ...] = ("flag", "block")
WEEK_KINDS: tuple[str, ...] = ("any", "big", "small")
PERIOD_KINDS: tuple[str, ...] = ("month", "quarter", "half_year", "year")
WITHOUT_TRACKED_VIDEOS: tuple[str, ...] = ("grade_only", "not_countable")
BUILTIN_VIDEOS: tuple[str, ...] = ("ignore", "not_countable")
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# month_close: learners hired or leaving mid-month; days under suspension or freeze.
PART_MONTH_CHOICES: tuple[str, ...] = ("exempt", "prorate", "full")
BLOCKED_DAYS_CHOICES: tuple[str, ...] = ("exempt", "count")
# rankings: equal credits share a rank or the earliest total ranks first; exempt months.
RANKING_TIES: tuple[str, ...] = TIE_CHOICES
RANKING_EXEMPT_MONTHS: tuple[str, ...] = EXEMPT_CHOICES


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong with a policy file, located so that an operator can fix it."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(file)'}: {self.message}"


class PolicyError(Exception):
    """The policy file is invalid; `problems` lists every problem found, not only the first."""

    def __init__(self, problems: list[PolicyProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


class PolicyNotConfigured(Exception):
    """The policy is missing or invalid: plugin actions answer 'not configured'."""

    def __init__(self, problems: list[PolicyProblem] | None = None):
        self.problems = list(problems or [])
        text = "\n".join(str(p) for p in self.problems) or "the policy is not configured"
        super().__init__(text)


@dataclass(frozen=True)
class QuotaRule:
    """P-16, P-21: required courses to complete per month."""

    required_courses_per_month: int
    reminder_email: bool


@dataclass(frozen=True)
class MissedTaskRule:
    """P-22: missed tasks in one month that suspend the account."""

    per_month_to_suspend: int
    suspension_days: int


@dataclass(frozen=True)
class RevocationRule:
    """P-23: months with misses, counted back over a window, that revoke the account."""

    months_with_misses: int
    window_months: int


@dataclass(frozen=True)
class SharingRule:
    """P-4: what a detected account sharing does."""

    action: SharingAction
    suspension_days: int
    # One incident = one account's evidence within this many hours: one suspension at most.
    incident_window_hours: int


@dataclass(frozen=True)
class HoursCapRule:
    """P-24: the share of a unit's training hours that online learning may make up."""

    unit_level: int
    default_share: float
    travel_heavy_share: float


@dataclass(frozen=True)
class RankingRule:
    """P-25: published rankings by credits."""

    top_n: int
    periods: tuple[PeriodKind, ...]
    quota_met_only: bool
    # "share": equal credits share a rank, all tied at the cut are in; "earliest": the
    # learner who reached the total first ranks higher (prize money follows the rank).
    ties: str = "share"
    # "ignore": an exempt month neither qualifies nor disqualifies; "disqualify": it does.
    exempt_months: str = "ignore"
    # Leave out learners revoked or frozen when the period ends.
    exclude_blocked: bool = True


@dataclass(frozen=True)
class CreditRule:
    """P-20: credits of a completed course unless the course says otherwise; P-12: the
    points an approved learner contribution earns."""

    default_per_course: Decimal
    points_per_contribution: Decimal = Decimal("0")


@dataclass(frozen=True)
class TimeRange:
    """A half-open local time range `[start, end)` within one day."""

    start: time
    end: time


@dataclass(frozen=True)
class WorkCalendar:
    """P-18: when working time is, in the policy's time zone. Weekdays: Monday = 0."""

    working_weekdays: frozenset[int]
    big_week_extra_weekday: int
    big_week_anchor: date
    working_hours: tuple[TimeRange, ...]
    holidays: frozenset[date]
    swapped_working_days: frozenset[date]


@dataclass(frozen=True)
class WindowSlot:
    """A learning window on a weekday, in every week or only in big (大周) or small weeks."""

    weekday: int
    week: WeekKind
    start: time
    end: time


@dataclass(frozen=True)
class LearningWindows:
    """P-18: when learning during working time is allowed, and whether others are blocked."""

    mode: WindowMode
    slots: tuple[WindowSlot, ...]


@dataclass(frozen=True)
class VideoRule:
    """P-17: how watch reports are verified."""

    end_tolerance_seconds: float
    start_tolerance_seconds: float
    rate_slack: float
    max_playback_rate: float
    report_interval_seconds: int
    duration_mismatch_seconds: float


@dataclass(frozen=True)
class CompletionRule:
    """P-17: what a required course counts as when its videos cannot all be verified.

    `without_tracked_videos`: a course with no tracked video completes on its grade alone
    (`grade_only`) or never counts (`not_countable`). `builtin_videos`: the platform's own
    `video` blocks, whose watching is not verified, are ignored (`ignore`) or make the course
    not countable (`not_countable`).
    """

    without_tracked_videos: str
    builtin_videos: str


@dataclass(frozen=True)
class RoleCourseRule:
    """P-14: one required course of one job role, with its due rule (exactly one of the two).

    The file's `courses: [...]` list is flattened: one rule per role and course, so that a
    role+course written twice is found and reported with its line.
    """

    role: str
    course_key: str
    due_on: date | None
    due_days: int | None


@dataclass(frozen=True)
class AssignmentPolicy:
    """P-14, P-15, P-22: how required courses are assigned and electives followed up."""

    electives_are_tasks: bool
    elective_target_days: int
    reminder_days_before: int
    rules: tuple[RoleCourseRule, ...]


@dataclass(frozen=True)
class MonthCloseRule:
    """P-16, P-21..P-23: the edge cases of judging a month, and the guard on mass sanctions.

    `hired_mid_month` / `left_mid_month`: a learner whose membership began after the month
    began (or ended before it ended) is not judged (`exempt`), judged on a quota prorated to
    the days employed (`prorate`), or judged as for a whole month (`full`). `blocked_days`:
    days under suspension or freeze are taken out of the month (`exempt`) or not (`count`).
    `shift_due_in_block`: a due time falling inside a suspension or freeze moves later by
    the overlap. `quota_capped_by_assignable`: the quota never exceeds the required courses
    the learner could complete. `guard_share` and `guard_min_count`: a close that would
    suspend or revoke more than both this share of the learners judged and this count is
    held for HR.
    """

    hired_mid_month: str
    left_mid_month: str
    blocked_days: str
    shift_due_in_block: bool
    quota_capped_by_assignable: bool
    guard_share: float
    guard_min_count: int


@dataclass(frozen=True)
class RosterRule:
    """P-2, P-6, P-7: the guard on the HR roster sync.

    A sync that would freeze more than `max_departure_share` of the active people, and more
    than `min_departures_held` of them, is held until HR confirms it (a wrong export must not
    freeze the organisation); the same share bounds how many active people a roster may
    leave out before it is taken for a truncated one and held too.
    """

    max_departure_share: float = 0.05
    min_departures_held: int = 20


@dataclass(frozen=True)
class PrivacyRule:
    """P-32: how long address and timing evidence is kept, and the notice's version.

    `ip_address_days`: network addresses and device hashes of watch sessions and the sharing
    evidence are blanked after this many days. `watch_timing_days`: the watch sessions
    themselves (when each player session ran) and the sharing evidence rows are deleted after
    this many days; it outlives a month close and the appraisal year the rankings feed (P-25).
    Evidence of a flagged sharing incident or of a suspension in force is kept until then.
    Raising `notice_revision` (or changing a period) shows the notice to everyone again.
    """

    notice_revision: int = 1
    ip_address_days: int = 180
    watch_timing_days: int = 400


@dataclass(frozen=True)
class Policy:
    """The whole validated policy file."""

    source: str
    version: int
    effective_from: date
    timezone: str
    quota: QuotaRule
    missed_tasks: MissedTaskRule
    revocation: RevocationRule
    sharing: SharingRule
    online_hours_cap: HoursCapRule
    rankings: RankingRule
    credits: CreditRule
    calendar: WorkCalendar
    learning_windows: LearningWindows
    video: VideoRule
    completion: CompletionRule
    assignments: AssignmentPolicy
    month_close: MonthCloseRule
    roster: RosterRule = RosterRule()
    privacy: PrivacyRule = PrivacyRule()

    @property
    def tz(self) -> ZoneInfo:
        """The policy's time zone, in which periods and work windows are computed."""
        return ZoneInfo(self.timezone)
