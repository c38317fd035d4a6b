"""Learning tasks as the month close counts them, and the reminders before their deadlines.

A learner may hold the same course through several sources (their job role, HR, an import,
their own elective choice): each source keeps its row, because each was decided by someone
and is withdrawn on its own, but the learner has **one task per course** (P-14, P-22). Its
deadline is the earliest `due_at` among the rows that are not withdrawn; a withdrawn row is
never a task and never a miss. A followed elective (source `chosen`) is a task only when the
policy's `assignments.electives_are_tasks` says so; it is reminded either way (P-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef

from elearn_plugin.core.batching import chunked
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CourseCompletion,
    CoursePolicy,
)
from elearn_plugin.org.models import Person
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.policy.schema import Policy

CHUNK_SIZE = 500
REMINDER = "assignment_due_reminder"


@dataclass(frozen=True)
class Task:
    """One learner's task for one course: the earliest deadline of its open rows."""

    user_id: int
    course_key: str
    due_at: datetime
    completed_at: datetime | None

    @property
    def missed(self) -> bool:
        """Not completed before its deadline (meaningful once `due_at` has passed)."""
        return self.completed_at is None or self.completed_at >= self.due_at


def _open_rows(policy: Policy):
    rows = Assignment.objects.filter(withdrawn_at__isnull=True)
    if not policy.assignments.electives_are_tasks:
        rows = rows.exclude(source=AssignmentSource.CHOSEN)
    return rows


def tasks_due(
    user_ids: Iterable[int], start: datetime, end: datetime, *, policy: Policy | None = None
) -> list[Task]:
    """The learners' tasks whose deadline falls in `[start, end)`, one per learner and course.

    Two queries per chunk of learners (the grouped assignments, their completions), whatever
    the number of rows per learner. Ordered by learner, then deadline.
    """
    policy = policy or get_policy()
    tasks: list[Task] = []
    for chunk in chunked(sorted(set(user_ids)), CHUNK_SIZE):
        due = list(
            _open_rows(policy)
            .filter(user_id__in=chunk)
            .values("user_id", "course_key")
            .annotate(first_due=Min("due_at"))
            .filter(first_due__gte=start, first_due__lt=end)
            .values_list("user_id", "course_key", "first_due")
        )
        if not due:
            continue
        completed = {
            (user_id, key): at
            for user_id, key, at in CourseCompletion.objects.filter(
                user_id__in={u for u, _, _ in due}, course_key__in={k for _, k, _ in due}
            ).values_list("user_id", "course_key", "completed_at")
        }
        tasks += [Task(u, k, at, completed.get((u, k))) for u, k, at in due]
    tasks.sort(key=lambda t: (t.user_id, t.due_at, t.course_key))
    return tasks


def reminder_key(user_id: int, course_key: str, due_at: datetime, policy: Policy) -> str:
    """One reminder per learner, course and deadline: a later deadline is reminded again."""
    day = (due_at - timedelta(microseconds=1)).astimezone(policy.tz).date()
    return f"{REMINDER}:{user_id}:{course_key}:{day.isoformat()}"


def enqueue_reminders(now: datetime, *, policy: Policy | None = None) -> int:
    """Queue one reminder for every task, followed electives included, whose deadline day is
    at most `assignments.reminder_days_before` days away and not completed; returns how many
    were new (the outbox key makes a second run add nothing, P-33)."""
    policy = policy or get_policy()
    today = now.astimezone(policy.tz).date()
    days = policy.assignments.reminder_days_before
    horizon = datetime.combine(today + timedelta(days=days + 1), time.min, tzinfo=policy.tz)
    done = CourseCompletion.objects.filter(
        user_id=OuterRef("user_id"), course_key=OuterRef("course_key")
    )
    due = list(
        Assignment.objects.filter(
            withdrawn_at__isnull=True,
            user__elearn_person__status=Person.ACTIVE,
        )
        .exclude(Exists(done))
        .values("user_id", "course_key")
        .annotate(first_due=Min("due_at"))
        .filter(first_due__gt=now, first_due__lte=horizon)
        .values_list("user_id", "course_key", "first_due")
        .order_by("user_id", "course_key")
    )
    titles = dict(
        CoursePolicy.objects.filter(course_key__in={k for _, k, _ in due}).values_list(
            "course_key", "title"
        )
    )
    created = 0
    for chunk in chunked(due, CHUNK_SIZE):
        rows = [
            OutboxRow(
                key=reminder_key(user_id, key, at, policy),
                message_type=REMINDER,
                user_id=user_id,
                context={
                    "course_key": key,
                    "course_title": titles.get(key, key),
                    "due_on": (at - timedelta(microseconds=1)).astimezone(policy.tz).date(),
                },
            )
            for user_id, key, at in chunk
        ]
        with transaction.atomic():
            created += enqueue_bulk(rows)
    return created
