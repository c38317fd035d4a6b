"""The facts of one closed month for a chunk of learners, read set-based (P-16, P-21..P-23).

`rules.month_verdicts` decides; this module only gathers what it decides on, so that the
close of 200k learners costs a fixed number of queries per chunk of about 1,000 learners
instead of several per learner. `load_month_facts` runs **five queries whatever the chunk's
size** (assignments, completions, required course keys, memberships, sanctions), each a
`values_list` narrowed to the chunk (`fact_rows`: its id range, or an `IN` list of sparse
ids), and groups the rows in memory; `load_range`, the close's own reader, takes the
chunk's population from the same membership rows. The caller chunks: one call should not
get more ids than the database accepts in one `IN` list.

The months with misses before this one (P-23) are judged here again, in one pass over each
learner's tasks (`months_with_a_miss`), on the same tasks, memberships and blocks: a month
closed earlier decided alike unless its facts changed since, and a window reaching back
before the first close still counts what the rows say.

Choices made here, so every close decides alike:

- **Tasks.** One per learner and course, as `courses.assignment_tasks` counts them: the
  deadline is the earliest `due_at` of the rows not withdrawn; followed electives (source
  `chosen`) only when `assignments.electives_are_tasks`. When every row of a course is
  withdrawn the task keeps its earliest deadline and is withdrawn when its last row was, so
  a task missed before it was taken back stays missed. Its completion time is the learner's
  `CourseCompletion` of the course, if any. A task is kept when it is due by the month's end
  and its effective (possibly shifted) due time is after the window's start (a deadline is
  judged at the instant before it, `rules.month_verdicts.judged_instant`).
- **Active time** is the learner's `Membership` rows (closed at `valid_to`; open ones run
  on), so a transfer mid-month joins two touching stays into one. `Person.hired_on` and
  `left_on` are not read: the memberships are what the history records.
- **Blocked time** is each suspension or freeze starting before the month ends, from
  `starts_at` to the earliest of `ends_at`, `lifted_at` and the month's end. Cutting at the
  month's end changes no verdict of this month or an earlier one (a due time inside the
  block moves past the block's end, so past the month either way) and makes a re-run after
  a later lift decide the same.
- **Unit** of the standing: the unit of the learner's last stay that began before the
  month's end.
- **Already revoked**: a revocation with no `lifted_at` that starts before the month ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import attrgetter

from elearn_plugin.month_close.fact_rows import BLOCKING, of_learners, of_range, read_rows
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.month_verdicts import (
    Interval,
    LearnerMonth,
    MonthRules,
    Task,
    clip,
    effective_due,
    merge,
    misses_in_window,
)
from elearn_plugin.rules.periods import Period, months_back
from elearn_plugin.standing.models import SanctionKind

_BY_DUE = attrgetter("due_at", "course_key")

__all__ = ["BLOCKING", "load_chunk", "load_month_facts", "load_range", "month_rules"]


def month_rules(policy: Policy) -> MonthRules:
    """The pure rules the policy's numbers and `month_close` choices make (checked there)."""
    close = policy.month_close
    return MonthRules(
        quota=policy.quota.required_courses_per_month,
        missed_to_suspend=policy.missed_tasks.per_month_to_suspend,
        suspension_days=policy.missed_tasks.suspension_days,
        months_with_misses=policy.revocation.months_with_misses,
        window_months=policy.revocation.window_months,
        hired_mid_month=close.hired_mid_month,
        left_mid_month=close.left_mid_month,
        blocked_days=close.blocked_days,
        shift_due_in_block=close.shift_due_in_block,
        quota_capped_by_assignable=close.quota_capped_by_assignable,
    )


def _group_tasks(
    rows: Iterable[tuple[int, str, datetime, datetime | None, datetime]],
    completed: dict[tuple[int, str], datetime],
    assigned: dict[tuple[int, str], datetime],
) -> dict[int, list[Task]]:
    """One task per learner and course from its assignment rows (see the module docstring);
    `assigned` receives when each learner's course was first assigned."""
    first: dict[tuple[int, str], tuple[datetime, datetime | None]] = {}
    more: dict[tuple[int, str], list[tuple[datetime, datetime | None]]] = {}
    for user_id, course_key, due_at, withdrawn_at, assigned_at in rows:
        key = (user_id, course_key)
        if key not in first:
            first[key] = (due_at, withdrawn_at)
            assigned[key] = assigned_at
            continue
        more.setdefault(key, [first[key]]).append((due_at, withdrawn_at))
        if assigned_at < assigned[key]:
            assigned[key] = assigned_at
    tasks: dict[int, list[Task]] = defaultdict(list)
    for (user_id, course_key), (due_at, withdrawn_at) in first.items():
        dues = more.get((user_id, course_key))
        if dues is None:
            # The usual case: one row per learner and course.
            tasks[user_id].append(
                Task.of_utc(course_key, due_at, completed.get((user_id, course_key)), withdrawn_at)
            )
            continue
        still_open = [due for due, withdrawn in dues if withdrawn is None]
        if still_open:
            due_at, withdrawn_at = min(still_open), None
        else:
            due_at = min(due for due, _ in dues)
            withdrawn_at = max(withdrawn for _, withdrawn in dues if withdrawn is not None)
        tasks[user_id].append(
            Task.of_utc(course_key, due_at, completed.get((user_id, course_key)), withdrawn_at)
        )
    return tasks


def _block_intervals(
    rows: Iterable[tuple[int, str, datetime, datetime | None, datetime | None]], cut: datetime
) -> tuple[dict[int, list[Interval]], set[int]]:
    """Blocked stretches per learner (cut at `cut`) and the learners already revoked."""
    blocked: dict[int, list[Interval]] = defaultdict(list)
    revoked: set[int] = set()
    for user_id, kind, starts_at, ends_at, lifted_at in rows:
        if kind == SanctionKind.REVOCATION:
            if lifted_at is None:
                revoked.add(user_id)
            continue
        end = min(when for when in (ends_at, lifted_at, cut) if when is not None)
        if end > starts_at:
            blocked[user_id].append(Interval(starts_at, end))
    return blocked, revoked


def _assignable(
    user_id: int,
    tasks: Iterable[Task],
    judged_at: dict[str, datetime],
    assigned_at: dict[tuple[int, str], datetime],
    required: frozenset[str],
    completed_in_month: Iterable[str],
    period: Period,
) -> int:
    """Distinct required courses the learner could complete in the month.

    A required course counts when it was assigned before the month ended, its task is due
    (or shifted) in or after the month, is still assigned at the month's end (not withdrawn
    before it) and was not completed before the month began. (A course assigned in
    November does not make October's quota: nobody could have done it then.) A required
    course completed in the month counts too, assigned or not:
    the learner plainly could complete it, and leaving it out would exempt a learner who met
    the quota (`no_required_assignable`). Never None: every input is read here, so the count
    is always decided; the rules ignore it when `quota_capped_by_assignable` is off.
    """
    start, end = period.start_utc, period.end_utc
    courses = set(completed_in_month)
    for task in tasks:
        if task.course_key not in required or judged_at[task.course_key] <= start:
            continue
        if assigned_at[(user_id, task.course_key)] >= end:
            continue
        if task.withdrawn_at is not None and task.withdrawn_at < end:
            continue
        if task.completed_at is not None and task.completed_at < start:
            continue
        courses.add(task.course_key)
    return len(courses)


def load_month_facts(user_ids: Sequence[int], period: Period, policy: Policy) -> list[LearnerMonth]:
    """The facts of `period` for one chunk of learners, ordered by user id, one per learner.

    Five queries for the chunk whatever its size; a learner without any row gets empty
    facts (and is judged `not_employed`). `period` is a month of the policy's zone.
    """
    return load_chunk(user_ids, period, policy)[0]


def load_chunk(
    user_ids: Sequence[int], period: Period, policy: Policy
) -> tuple[list[LearnerMonth], dict[int, int]]:
    """`load_month_facts`, and each learner's unit id at the month's end (same five queries)."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        _check_monthly(period)
        return [], {}
    return _load(of_learners(ids), lambda _rows: ids, period, policy)[1:]


def load_range(
    first: int, last: int, period: Period, policy: Policy
) -> tuple[list[int], list[LearnerMonth], dict[int, int]]:
    """The learners judged for `period` with ids from `first` to `last` (those with a
    membership during the month, as `chunks.population` selects them), their facts and
    units: `load_chunk` of that population, from the same five queries, its membership
    rows giving the population (they cover the month and the window before it)."""

    def judged(membership_rows) -> list[int]:
        start = period.start_utc
        return sorted(
            {
                user_id
                for user_id, _f, valid_to, _u in membership_rows
                if valid_to is None or valid_to > start
            }
        )

    return _load(of_range(first, last), judged, period, policy)


def _check_monthly(period: Period) -> None:
    if period.kind != "month":
        raise ValueError(f"month facts are monthly, not per {period.kind}")


def _load(
    narrow: Callable, learners: Callable, period: Period, policy: Policy
) -> tuple[list[int], list[LearnerMonth], dict[int, int]]:
    """The learners `learners(membership_rows)` picks, their facts and units, from the rows
    `narrow` selects."""
    _check_monthly(period)
    rules = month_rules(policy)
    window = months_back(period, rules.window_months)
    window_start, end = window[0].start_utc, period.end_utc
    assignment_rows, completion_rows, required, membership_rows, sanction_rows = read_rows(
        narrow, window_start, period, policy
    )
    ids = learners(membership_rows)

    completed = {(user_id, key): at for user_id, key, at in completion_rows}
    assigned: dict[tuple[int, str], datetime] = {}
    tasks_of = _group_tasks(assignment_rows, completed, assigned)
    blocked_of, revoked = _block_intervals(sanction_rows, end)
    active_of: dict[int, list[Interval]] = defaultdict(list)
    unit_of: dict[int, tuple[datetime, int]] = {}
    for user_id, valid_from, valid_to, unit_id in membership_rows:
        stay_end = end if valid_to is None else min(valid_to, end)
        if stay_end > valid_from:
            active_of[user_id].append(Interval(valid_from, stay_end))
        if user_id not in unit_of or unit_of[user_id][0] < valid_from:
            unit_of[user_id] = (valid_from, unit_id)
    required_done: dict[int, dict[str, datetime]] = defaultdict(dict)
    start = period.start_utc
    for (user_id, key), at in completed.items():
        # `period.contains`, inlined: the instants read are UTC already (`fact_rows`).
        if key in required and start <= at < end:
            required_done[user_id][key] = at

    earlier = window[:-1]
    facts: list[LearnerMonth] = []
    for user_id in ids:
        blocked = merge(blocked_of.get(user_id, ()))
        active = merge(active_of.get(user_id, ()))
        judged_at: dict[str, datetime] = {}
        tasks: list[Task] = []
        for task in tasks_of.get(user_id, ()):
            due = (
                effective_due(task.due_at, blocked)
                if rules.shift_due_in_block and blocked
                else task.due_at
            )
            judged_at[task.course_key] = due
            # Judged at the instant before the deadline (`judged_instant`): due by the
            # month's end, and after the window's start.
            if task.due_at <= end and due > window_start:
                tasks.append(task)
        tasks.sort(key=_BY_DUE)
        kept = tuple(tasks)
        if blocked:
            # A block ending by the first kept due time (or the window's start) shifts
            # nothing kept.
            since = min([window_start, *(t.due_at for t in kept)])
            blocked = tuple(block for block in blocked if block.end > since)
        # The earlier months are judged with every stay of the window: a task is missed only
        # when the learner was active at its due time, whichever month that falls in.
        before, missed = (
            misses_in_window(
                LearnerMonth(user_id, kept, active=active, blocked=blocked),
                rules,
                earlier,
                period,
            )
            if kept
            else (frozenset(), ())
        )
        done = required_done.get(user_id) or {}
        facts.append(
            LearnerMonth(
                user_id=user_id,
                tasks=kept,
                required_completed_at=done,
                active=clip(active, start, end),
                blocked=blocked,
                months_with_misses_before=before,
                already_revoked=user_id in revoked,
                missed=missed,
                assignable_required=_assignable(
                    user_id, tasks_of.get(user_id, ()), judged_at, assigned, required, done, period
                ),
            )
        )
    # A range read may bring rows of ids outside the chunk: not returned.
    return ids, facts, {user_id: unit_of[user_id][1] for user_id in ids if user_id in unit_of}
