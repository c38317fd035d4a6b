"""The month-close benchmark's learners and their facts, written with raw bulk inserts.

Every learner has one open unit membership, a person row, ten required-course assignments
(seven due in January and February, three in the closed month, March 2026) with about ten
completions, and a few learning activities in March. By `i % 1000`:

- 0..39 (4 %) miss all three March tasks: a suspension and a quota warning;
- 40..44 (0.5 %) also missed a task in January and one in February: a revocation too;
- 45..46 (0.2 %) are already revoked (a standing revocation) and miss March: a warning only;
- 100..399 (30 %) complete one March task of three: below quota (a warning), two misses;
- 500..519 (2 %) were suspended in February (ended before March): blocked time, shifted dues;
- 600..619 (2 %) joined on 15 March: a prorated quota;
- the rest complete their three March tasks: no consequence.

The sanctioned share (4.5 %) stays under the default guard (5 %), so the close is not held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

MONTH = "2026-03"
REQUIRED = [f"course-v1:Bench+R{k}+2026" for k in range(10)]
ELECTIVE = [f"course-v1:Bench+E{k}+2026" for k in range(5)]
UNITS = 50
BATCH = 5000

# Local noon in Asia/Shanghai is 04:00 UTC.
_DUE = [datetime(2026, m, d, 4, tzinfo=UTC) for m, d in ((1, 8), (1, 15), (1, 22), (2, 5))]
_DUE += [datetime(2026, 2, d, 4, tzinfo=UTC) for d in (12, 19, 25)]
_DUE += [datetime(2026, 3, d, 4, tzinfo=UTC) for d in (10, 20, 28)]
MARCH_TASKS = (7, 8, 9)


def group(i: int) -> str:
    g = i % 1000
    if g < 40:
        return "suspend"
    if g < 45:
        return "revoke"
    if g < 47:
        return "revoked"
    if 100 <= g < 400:
        return "below"
    if 500 <= g < 520:
        return "past_suspended"
    if 600 <= g < 620:
        return "mid_hire"
    return "normal"


def _batches(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(cursor, model, columns: list[str], rows: Iterable[tuple]) -> int:
    """INSERT the rows (model field names -> their columns) with executemany in batches."""
    from django.db import connection

    meta = model._meta
    given = {meta.get_field(name).column for name in columns}
    # The model's other columns get their defaults (an INSERT must name NOT NULL ones).
    rest = [
        f
        for f in meta.concrete_fields
        if f.column not in given and not f.primary_key and not f.null
    ]
    extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    cols = ", ".join([meta.get_field(name).column for name in columns] + [f.column for f in rest])
    marks = ", ".join(["%s"] * (len(columns) + len(rest)))
    sql = f"INSERT INTO {meta.db_table} ({cols}) VALUES ({marks})"
    count = 0
    for batch in _batches(rows):
        cursor.executemany(sql, [row + extra for row in batch] if extra else batch)
        count += len(batch)
    return count


def load(learners: int, progress: Callable[[str], None] = lambda _msg: None) -> dict:
    """Write the learners and their facts; returns row counts per table and the user ids."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from elearn_plugin.courses.models import Assignment, CourseCompletion, CoursePolicy
    from elearn_plugin.learning.models import LearningActivity
    from elearn_plugin.org.models import Membership, Person, Unit
    from elearn_plugin.standing.models import Sanction

    user_model = get_user_model()
    adapt = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    now = adapt(datetime.now(UTC))
    dues = [adapt(d) for d in _DUE]
    done = [adapt(d - timedelta(days=2)) for d in _DUE]
    joined, mid_joined = adapt(datetime(2025, 6, 1, tzinfo=UTC)), adapt(_at(3, 15))
    base = (user_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    ids = range(base, base + learners)
    mysql = connection.vendor == "mysql"
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        if mysql:
            cursor.execute("SET unique_checks=0, foreign_key_checks=0")
        with transaction.atomic():
            counts["units"] = _insert(
                cursor,
                Unit,
                ["id", "code", "name", "parent", "kind", "travel_heavy", "path", "depth"],
                [(1, "bench-root", "Bench", None, "subsidiary", False, "/1/", 0)]
                + [
                    (u, f"bench-{u}", f"Unit {u}", 1, "department", False, f"/1/{u}/", 1)
                    for u in range(2, UNITS + 1)
                ],
            )
            counts["course_policies"] = _insert(
                cursor,
                CoursePolicy,
                ["course_key", "title", "credits", "kind", "origin", "created_at", "updated_at"],
                [(k, k, "1.00", "required", "internal", now, now) for k in REQUIRED]
                + [(k, k, "1.00", "elective", "internal", now, now) for k in ELECTIVE],
            )
        progress("users")
        user_cols = [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ]
        with transaction.atomic():
            counts["users"] = _insert(
                cursor,
                user_model,
                user_cols,
                (
                    (
                        u,
                        "!",
                        None,
                        False,
                        f"bench{u}",
                        "",
                        "",
                        f"b{u}@example.com",
                        False,
                        True,
                        now,
                    )
                    for u in ids
                ),
            )
            counts["people"] = _insert(
                cursor,
                Person,
                [
                    "user",
                    "employee_id",
                    "name",
                    "unit",
                    "job_role",
                    "status",
                    "must_change_password",
                    "hired_on",
                    "left_on",
                    "created_at",
                    "updated_at",
                ],
                (
                    (u, f"E{u}", f"Learner {u}", _unit(u), None, "active", False, day(_hire(u)))
                    + (None, now, now)
                    for u in ids
                ),
            )
            counts["memberships"] = _insert(
                cursor,
                Membership,
                ["user", "unit", "valid_from", "valid_to", "open_flag"],
                (
                    (u, _unit(u), mid_joined if group(u - base) == "mid_hire" else joined)
                    + (None, True)
                    for u in ids
                ),
            )
        progress("assignments")
        with transaction.atomic():
            counts["assignments"] = _insert(
                cursor,
                Assignment,
                ["user", "course_key", "due_at", "source", "assigned_at", "created_at"]
                + ["rule", "enrolled_at", "withdrawn_at", "withdrawn_reason_code"],
                (
                    (u, REQUIRED[k], dues[k], "hr", joined, now, None, None, None, "")
                    for u in ids
                    for k in range(10)
                ),
            )
        progress("completions")
        with transaction.atomic():
            counts["completions"] = _insert(
                cursor,
                CourseCompletion,
                ["user", "course_key", "completed_at", "source", "created_at"],
                (
                    (u, REQUIRED[k], done[k], "verified", now)
                    for u in ids
                    for k in _completed(group(u - base))
                ),
            )
        progress("activities")
        with transaction.atomic():
            counts["learning_activities"] = _insert(
                cursor,
                LearningActivity,
                ["user", "unit", "course_key", "kind", "source_key", "started_at", "ended_at"]
                + ["seconds", "classification", "created_at"],
                (
                    (u, _unit(u), REQUIRED[7 + a], "video", f"bench:{u}:{a}")
                    + (adapt(_at(3, 3 + a, 8)), adapt(_at(3, 3 + a, 9)), 3600, "window", now)
                    for u in ids
                    for a in range(3)
                ),
            )
            blocks = []
            for i, u in enumerate(ids):
                kind = group(i)
                if kind == "past_suspended":
                    blocks.append(
                        (u, "suspension", "missed_tasks", "bench:2026-02", adapt(_at(2, 1)))
                        + (adapt(_at(2, 21)), None, "{}", now)
                    )
                elif kind == "revoked":
                    blocks.append(
                        (u, "revocation", "missed_task_months", "bench:2026-02", adapt(_at(2, 1)))
                        + (None, None, "{}", now)
                    )
            counts["sanctions"] = _insert(
                cursor,
                Sanction,
                ["user", "kind", "reason_code", "source", "starts_at", "ends_at", "lifted_at"]
                + ["evidence", "created_at"],
                blocks,
            )
        if mysql:
            cursor.execute("SET unique_checks=1, foreign_key_checks=1")
            for model in (Assignment, CourseCompletion, Membership, Sanction, user_model):
                cursor.execute(f"ANALYZE TABLE {model._meta.db_table}")
                cursor.fetchall()
        else:
            cursor.execute("ANALYZE")
    return {"counts": counts, "first_user_id": base, "last_user_id": base + learners - 1}


def _at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _unit(user_id: int) -> int:
    return 2 + user_id % (UNITS - 1)


def _hire(user_id: int):
    return datetime(2025, 6, 1).date()


def _completed(kind: str) -> list[int]:
    """Indexes of the required courses the learner completed (two days before each due)."""
    earlier = [k for k in range(7) if not (kind == "revoke" and k in (0, 3))]
    if kind in ("suspend", "revoke", "revoked"):
        return earlier
    if kind == "below":
        return [*earlier, 7]
    return [*earlier, *MARCH_TASKS]
