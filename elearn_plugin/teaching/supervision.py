"""Each course's supervision figures (P-30: checks of learners' progress), a fixed handful of
grouped queries for every course at once.

- learners: distinct learners with an assignment of the course not withdrawn (assigned by HR
  or a job-role rule, or an elective they chose and enrolled in: P-14, P-15);
- completion rate: those of them who completed the course, out of the learners;
- median days to complete: from a learner's first assignment of the course to their
  completion, in calendar days of the policy's zone. The query returns how many learners
  took each (assigned day, completed day) pair, so its size is bounded by the calendar,
  not by the number of learners;
- behind: learners with an assignment past its deadline and no completion, out of the
  learners;
- a completion before the learner's first assignment counts as done but has no days to
  complete; courses without learners or ratings are not listed;
- rating: the learners' average rating of the course's run (imported ratings belong to
  classroom sessions and are not mixed in).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Subquery, Sum
from django.db.models.functions import TruncDate

from elearn_plugin.rules import teaching as rules
from elearn_plugin.teaching.models import SessionKind, SessionRating


def _open_assignments():
    from elearn_plugin.courses.models import Assignment  # noqa: PLC0415

    return Assignment.objects.filter(withdrawn_at__isnull=True)


def _learners() -> dict[str, int]:
    rows = (
        _open_assignments().values("course_key").annotate(n=Count("user", distinct=True)).order_by()
    )
    return {row["course_key"]: row["n"] for row in rows}


def _days_to_complete(tz) -> tuple[dict[str, int], dict[str, list[tuple[int, int]]]]:
    """Completions of assigned learners per course, and (days, learners) pairs per course."""
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415

    first = (
        _open_assignments()
        .filter(user_id=OuterRef("user_id"), course_key=OuterRef("course_key"))
        .order_by()
        .values("user_id")
        .annotate(first=Min("assigned_at"))
        .values("first")
    )
    rows = (
        CourseCompletion.objects.annotate(first=Subquery(first))
        .filter(first__isnull=False)
        .annotate(
            assigned_on=TruncDate("first", tzinfo=tz),
            completed_on=TruncDate("completed_at", tzinfo=tz),
        )
        .values("course_key", "assigned_on", "completed_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    completions: dict[str, int] = defaultdict(int)
    days: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        completions[row["course_key"]] += row["n"]
        span = (row["completed_on"] - row["assigned_on"]).days
        if span >= 0:  # completed before being assigned: done, but no time to complete
            days[row["course_key"]].append((span, row["n"]))
    return completions, days


def _behind(now: datetime) -> dict[str, int]:
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415

    done = CourseCompletion.objects.filter(
        user_id=OuterRef("user_id"), course_key=OuterRef("course_key")
    )
    rows = (
        _open_assignments()
        .filter(due_at__lt=now)
        .filter(~Exists(done))
        .values("course_key")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    return {row["course_key"]: row["n"] for row in rows}


def _ratings() -> dict[str, tuple[int, int]]:
    rows = (
        SessionRating.objects.filter(session__kind=SessionKind.ONLINE)
        .values("session__course_key")
        .annotate(n=Count("id"), total=Sum("score"))
        .order_by()
    )
    return {row["session__course_key"]: (row["total"], row["n"]) for row in rows}


def course_rows(now: datetime, tz) -> list[dict]:
    """One row per course with learners: its supervision figures."""
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415

    titles = dict(CoursePolicy.objects.values_list("course_key", "title"))
    learners = _learners()
    completions, days = _days_to_complete(tz)
    behind = _behind(now)
    ratings = _ratings()
    rows = []
    for key in sorted(set(learners) | set(ratings)):
        count = learners.get(key, 0)
        total, rated = ratings.get(key, (None, 0))
        rows.append(
            {
                "course_key": key,
                "title": titles.get(key, key),
                "learners": count,
                "completed": completions.get(key, 0),
                "completion_rate": rules.share(completions.get(key, 0), count),
                "median_days": rules.weighted_median(days.get(key, [])),
                "behind": behind.get(key, 0),
                "behind_share": rules.share(behind.get(key, 0), count),
                "rating": rules.mean(total, rated),
                "rating_count": rated,
            }
        )
    return rows
