"""The rows a month close's facts are made of: five set queries per chunk, read raw.

`facts` groups and judges them; this module only reads, so that what a chunk costs the
database stays in one place: five `values_list` queries narrowed to the chunk's learners
(by id range, or an `IN` list for a sparse set), their instants read as text and parsed
once each (`_instant_reader`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connections
from django.db.models import CharField, DateTimeField, Q
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime

from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CourseCompletion,
    CourseKind,
    CoursePolicy,
)
from elearn_plugin.org.models import Membership
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.periods import Period
from elearn_plugin.standing.models import Sanction, SanctionKind

BLOCKING = (SanctionKind.SUSPENSION, SanctionKind.FREEZE)


def _instant_reader(connection) -> Callable[[object], datetime | None]:
    """What the ORM makes of a stored instant, as a UTC datetime, for `connection`.

    Read as text (`_fetch`), an instant costs one C-level parse here instead of the driver's
    conversion and then the ORM's chain of calls (make it aware, check it is): about forty
    thousand of them a chunk, once the largest part of reading its facts. The result is the
    same instant, already in UTC, so the rules' `as_utc` has nothing left to do. A chunk's
    instants repeat (a course's deadline, the time a rule assigned it to everyone): `_fetch`
    asks for each distinct text of a column once.
    """
    zone = connection.timezone

    def at(value) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = parse_datetime(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    return at


def _fetch(queryset, *names: str) -> list[tuple]:
    """`queryset.values_list(*names)` evaluated: its own SQL, its date-time columns read as
    text and made UTC instants by `_instant_reader`, the others as the driver returns them
    (ints and strings, as the ORM would)."""
    meta = queryset.model._meta
    instants = [
        i for i, name in enumerate(names) if isinstance(meta.get_field(name), DateTimeField)
    ]
    columns = [
        Cast(name, output_field=CharField()) if i in instants else name
        for i, name in enumerate(names)
    ]
    query = queryset.values_list(*columns).query
    connection = connections[queryset.db]
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows or not instants:
        return list(rows)
    # Column by column: each distinct text of a column parsed once, the column then mapped
    # through the parsed values' `dict.get` and the rows rebuilt by `zip`, all at C speed,
    # instead of a function call per value and a list copied and patched per row.
    at = _instant_reader(connection)
    columns = list(zip(*rows, strict=True))
    for i in instants:
        parsed = {text: at(text) for text in set(columns[i])}
        columns[i] = map(parsed.__getitem__, columns[i])
    return list(zip(*columns, strict=True))


def _of_learners(queryset, user_ids: list[int]):
    """`queryset` narrowed to the learners `user_ids` (sorted): by their id range when they
    fill most of it, as a month close's chunk does, else by an `IN` list.

    A range costs the database one index range scan and the driver two parameters, where
    an `IN` list of a chunk's thousand ids had each id quoted and compiled through the ORM;
    rows of ids inside the range but outside `user_ids` are dropped by `facts.load_chunk`.
    """
    low, high = user_ids[0], user_ids[-1]
    if high - low + 1 <= 2 * len(user_ids):
        return of_range(low, high)(queryset)
    return queryset.filter(user_id__in=user_ids)


def of_range(first: int, last: int) -> Callable:
    """A narrowing to the learners with ids from `first` to `last`: a month close's chunk."""
    return lambda queryset: queryset.filter(user_id__gte=first, user_id__lte=last)


def of_learners(user_ids: list[int]) -> Callable:
    """A narrowing to the learners `user_ids` (sorted), as `_of_learners` reads them."""
    return lambda queryset: _of_learners(queryset, user_ids)


def read_rows(narrow: Callable, window_start: datetime, period: Period, policy: Policy):
    """The five set queries of a chunk, each narrowed to its learners by `narrow`,
    evaluated: nothing else touches the database."""
    assignments = narrow(Assignment.objects.all())
    if not policy.assignments.electives_are_tasks:
        assignments = assignments.exclude(source=AssignmentSource.CHOSEN)
    # Every row of the chunk's learners: the task's deadline is the earliest of its rows, so
    # a filter on `due_at` would move the deadline. The rows are one per learner, course
    # and source, so a chunk's rows stay a few per learner and course.
    assignment_rows = _fetch(
        assignments, "user_id", "course_key", "due_at", "withdrawn_at", "assigned_at"
    )
    completion_rows = _fetch(
        narrow(CourseCompletion.objects.all()),
        "user_id",
        "course_key",
        "completed_at",
    )
    required = frozenset(
        CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values_list("course_key", flat=True)
    )
    membership_rows = _fetch(
        narrow(Membership.objects.filter(valid_from__lt=period.end_utc)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=window_start)
        ),
        "user_id",
        "valid_from",
        "valid_to",
        "unit_id",
    )
    # No lower bound on blocks: one long before the window can still shift a task into it.
    sanction_rows = _fetch(
        narrow(
            Sanction.objects.filter(
                kind__in=[*BLOCKING, SanctionKind.REVOCATION], starts_at__lt=period.end_utc
            )
        ),
        "user_id",
        "kind",
        "starts_at",
        "ends_at",
        "lifted_at",
    )
    return assignment_rows, completion_rows, required, membership_rows, sanction_rows
