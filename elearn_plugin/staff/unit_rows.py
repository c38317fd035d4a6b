"""Each learner's month for a training contact's units, read in chunks (P-1, P-28, P-31).

One row per learner whose current unit is in the given units: required courses done this
month against the quota, open and overdue tasks, the current block, learning hours this
month, the last activity, the pace (`rules.progress`) and, for a learner who came by
transfer recently, the unit they came from (P-6: the hand-over).

Learners are read in chunks of `CHUNK` ordered by employee id (keyset pagination, so an
export of 200k learners never holds them all and MariaDB, which cannot stream a cursor, is
never asked for the whole table at once); each chunk costs `QUERIES_PER_CHUNK` aggregate
queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from elearn_plugin.courses.models import Assignment, CourseCompletion, CourseKind, CoursePolicy
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.org.models import Membership, Person, Unit
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.periods import Period
from elearn_plugin.rules.progress import MonthProgress, Pace, elapsed_share, pace_of
from elearn_plugin.standing.blocks import BLOCKING_KINDS, SEVERITY
from elearn_plugin.standing.models import Sanction

CHUNK = 1000
# people, usernames, completions, tasks, blocks, activity, stays, last closed month
QUERIES_PER_CHUNK = 8
# A transfer this recent shows with the unit the learner came from.
TRANSFER_DAYS = 62

COLUMNS = (
    "employee_id",
    "name",
    "username",
    "unit",
    "unit_name",
    "required_completed",
    "quota",
    "open_tasks",
    "overdue_tasks",
    "standing",
    "standing_ends_at",
    "hours",
    "last_activity_at",
    "pace",
    "transferred_from",
    "transferred_on",
    "last_month",
    "last_month_required",
    "last_month_missed",
    "behind_last_month",
)


@dataclass(frozen=True)
class Scope:
    """Whose rows: the learners of `unit_ids`, optionally matching `search`, optionally only
    those of `user_ids`."""

    unit_ids: frozenset[int]
    search: str = ""
    user_ids: frozenset[int] | None = None


def _people(scope: Scope, after: str | None, limit: int) -> list[tuple]:
    people = Person.objects.filter(unit_id__in=scope.unit_ids, status=Person.ACTIVE)
    if scope.search:
        people = people.filter(
            Q(name__icontains=scope.search) | Q(employee_id__icontains=scope.search)
        )
    if scope.user_ids is not None:
        people = people.filter(user_id__in=scope.user_ids)
    if after is not None:
        people = people.filter(employee_id__gt=after)
    return list(
        people.order_by("employee_id").values_list("user_id", "employee_id", "name", "unit_id")[
            :limit
        ]
    )


def _completed(ids: list[int], month: Period) -> dict[int, int]:
    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values("course_key")
    return dict(
        CourseCompletion.objects.filter(
            user_id__in=ids,
            course_key__in=required,
            completed_at__gte=month.start_utc,
            completed_at__lt=month.end_utc,
        )
        .values("user_id")
        .annotate(n=Count("course_key", distinct=True))
        .values_list("user_id", "n")
        .order_by()
    )


def _tasks(ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
    done = CourseCompletion.objects.filter(
        user_id=OuterRef("user_id"), course_key=OuterRef("course_key")
    )
    rows = (
        Assignment.objects.filter(user_id__in=ids, withdrawn_at__isnull=True)
        .exclude(Exists(done))
        .values("user_id")
        .annotate(
            open=Count("course_key", distinct=True),
            overdue=Count("course_key", distinct=True, filter=Q(due_at__lt=now)),
        )
        .values_list("user_id", "open", "overdue")
        .order_by()
    )
    return {uid: (open_, overdue) for uid, open_, overdue in rows}


def _blocks(ids: list[int], now: datetime) -> dict[int, tuple[str, datetime | None]]:
    rows = (
        Sanction.objects.filter(
            user_id__in=ids, kind__in=BLOCKING_KINDS, lifted_at__isnull=True, starts_at__lte=now
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .values_list("user_id", "kind", "ends_at")
    )
    best: dict[int, tuple[str, datetime | None]] = {}
    for uid, kind, ends in rows:
        known = best.get(uid)
        if known is None or SEVERITY[kind] > SEVERITY[known[0]]:
            best[uid] = (kind, ends)
    return best


def _activity(ids: list[int], month: Period) -> dict[int, tuple[int, datetime | None]]:
    in_month = Q(started_at__gte=month.start_utc, started_at__lt=month.end_utc)
    rows = (
        LearningActivity.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(seconds=Sum("seconds", filter=in_month), last=Max("ended_at"))
        .values_list("user_id", "seconds", "last")
        .order_by()
    )
    return {uid: (int(seconds or 0), last) for uid, seconds, last in rows}


def _transfers(ids: list[int], since: datetime) -> dict[int, tuple[int, datetime]]:
    """`{user: (unit left, when)}` for learners whose current stay began after `since` and
    followed a stay in another unit."""
    stays = (
        Membership.objects.filter(user_id__in=ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=since))
        .order_by("user_id", "valid_from")
        .values_list("user_id", "unit_id", "valid_from", "valid_to")
    )
    previous: dict[int, tuple[int, datetime | None]] = {}
    found: dict[int, tuple[int, datetime]] = {}
    for uid, unit_id, valid_from, valid_to in stays:
        before = previous.get(uid)
        if valid_to is None and valid_from >= since and before is not None and before[0] != unit_id:
            found[uid] = (before[0], valid_from)
        previous[uid] = (unit_id, valid_to)
    return found


def last_closed_month() -> str | None:
    """The label of the latest closed month, whose standings the page shows beside today's."""
    return (
        MonthClose.objects.filter(status=CloseStatus.CLOSED)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def _standings(ids: list[int], period: str | None) -> dict[int, tuple[int, bool | None, int]]:
    if period is None:
        return {}
    rows = Standing.objects.filter(period=period, user_id__in=ids).values_list(
        "user_id", "required_completed", "quota_met", "missed_tasks"
    )
    return {uid: (done, met, missed) for uid, done, met, missed in rows}


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


_LATEST = object()


def iter_rows(
    scope: Scope,
    policy: Policy,
    month: Period,
    now: datetime,
    *,
    chunk: int = CHUNK,
    last_month=_LATEST,
) -> Iterator[dict]:
    """Every learner's row of `month` as it stands at `now`, by employee id, with their
    standing in `last_month` (by default the latest closed month; None: none)."""
    quota = policy.quota.required_courses_per_month
    share = elapsed_share(month.start_utc, month.end_utc, now)
    units = {pk: (code, name) for pk, code, name in Unit.objects.values_list("pk", "code", "name")}
    since = now - timedelta(days=TRANSFER_DAYS)
    closed = last_closed_month() if last_month is _LATEST else last_month
    after: str | None = None
    while True:
        people = _people(scope, after, chunk)
        if not people:
            return
        after = people[-1][1]
        ids = [uid for uid, _e, _n, _u in people]
        usernames = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        completed = _completed(ids, month)
        tasks = _tasks(ids, now)
        blocks = _blocks(ids, now)
        activity = _activity(ids, month)
        transfers = _transfers(ids, since)
        standings = _standings(ids, closed)
        for uid, employee_id, name, unit_id in people:
            done = completed.get(uid, 0)
            open_, overdue = tasks.get(uid, (0, 0))
            block = blocks.get(uid)
            seconds, last = activity.get(uid, (0, None))
            moved = transfers.get(uid)
            pace = pace_of(MonthProgress(done, quota, overdue, block is not None), share)
            before = standings.get(uid)
            yield {
                "user_id": uid,
                "employee_id": employee_id,
                "name": name,
                "username": usernames.get(uid, ""),
                "unit": units.get(unit_id, ("", ""))[0],
                "unit_name": units.get(unit_id, ("", ""))[1],
                "required_completed": done,
                "quota": quota,
                "open_tasks": open_,
                "overdue_tasks": overdue,
                "standing": block[0] if block else "",
                "standing_ends_at": block[1] if block else None,
                "hours": _hours(seconds),
                "last_activity_at": last,
                "pace": str(pace),
                "transferred_from": units.get(moved[0], ("", ""))[0] if moved else "",
                "transferred_on": moved[1] if moved else None,
                "last_month": closed if before else None,
                "last_month_required": before[0] if before else None,
                "last_month_missed": before[2] if before else None,
                # P-28: the closed month's verdict; a learner may catch up with this month.
                "behind_last_month": bool(before and (before[1] is False or before[2] > 0)),
            }
        if len(people) < chunk:
            return


def needs_reminder(row: dict) -> bool:
    """Behind this month, or behind in the month just closed and not yet at quota now; a
    learner who cannot study is not reminded to."""
    if row["pace"] in ("blocked", "at_quota"):
        return False
    return row["pace"] == "behind" or row["behind_last_month"]


def summary(rows: list[dict]) -> dict[str, int]:
    """Counts of the rows by pace, for the page's headline."""
    counts = {str(p): 0 for p in Pace}
    for row in rows:
        counts[row["pace"]] += 1
    counts["learners"] = len(rows)
    counts["transferred_in"] = sum(1 for row in rows if row["transferred_from"])
    counts["behind_last_month"] = sum(1 for row in rows if row["behind_last_month"])
    return counts
