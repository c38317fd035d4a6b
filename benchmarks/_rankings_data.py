"""The rankings benchmark's learners, ledger, standings and learning time, by raw bulk inserts.

Deterministic (seeded): the same sizes give the same rows on every backend.

- **Units**: a root (depth 0), up to 20 subsidiaries below it (depth 1), the rest
  departments below the subsidiaries (depth 2); every fifth subsidiary and every tenth
  department is travel-heavy. Learners are placed in departments (subsidiaries when there
  are none).
- **Learners**: an account, a person (employee id `E<user id>`), one open membership from
  June 2025; by `i % 100`, 50 (1 %) moved to another department on 15 October 2026 (a closed
  stay, then an open one), so October's learning time is split between two units.
- **Ledger** (`--ledger-rows` in all, spread evenly): every tenth entry of a learner is
  contribution points (10..200, must not count), the others credits of 0.05..3.00, 1 % of
  them dated December 2025 (before the policy's `effective_from`, must not count) and 0.5 %
  corrections of -1.00. Times are uniform over 2026 (UTC).
- **Month closes**: the twelve months of 2026, status `closed`, and one standing per learner
  and month. By `i % 100`: 0..29 (30 %) missed the quota in one month (`quota_met` False),
  30..33 (4 %) were exempt (None) in their first one to six months, the rest met it.
- **Sanctions**: by `i % 200`, 7 revoked in June (never lifted: blocked at the year's end),
  11 frozen from 20 December into January (blocked), 13 revoked and lifted in September (not
  blocked), 41 suspended for March (not a ranking block); `i % 500 == 17` frozen until
  August (ended: not blocked).
- **Learning activities**: `activities` per learner in October 2026 (policy zone), of which
  `unit % 4` (0..3) are classroom sessions (offline) and the rest `video` / `other` (online),
  plus one in September (outside the month measured).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from _month_data import _insert

YEAR = 2026
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
HOURS_MONTH = f"{YEAR}-10"
SUBSIDIARIES = 20
TRANSFER_AT = datetime(YEAR, 10, 15, 4, tzinfo=UTC)
JOINED = datetime(2025, 6, 1, tzinfo=UTC)
_YEAR_START = datetime(YEAR, 1, 1, tzinfo=UTC)
# Up to 2026-12-31 15:00 UTC: inside the year in Asia/Shanghai (its end is 16:00 UTC).
_YEAR_SECONDS = int((datetime(YEAR, 12, 31, 15, tzinfo=UTC) - _YEAR_START).total_seconds())


def unit_rows(units: int) -> list[tuple]:
    """`(id, code, name, parent, kind, travel_heavy, path, depth)` of the tree."""
    subsidiaries = min(SUBSIDIARIES, units - 1)
    rows = [(1, "bench-root", "Bench group", None, "subsidiary", False, "/1/", 0)]
    for u in range(2, 2 + subsidiaries):
        rows.append((u, f"bench-s{u}", f"Subsidiary {u}", 1, "subsidiary", u % 5 == 0))
        rows[-1] += (f"/1/{u}/", 1)
    for u in range(2 + subsidiaries, units + 1):
        parent = 2 + (u - 2 - subsidiaries) % subsidiaries
        rows.append((u, f"bench-d{u}", f"Department {u}", parent, "department", u % 10 == 3))
        rows[-1] += (f"/1/{parent}/{u}/", 2)
    return rows


def leaves(units: int) -> list[int]:
    rows = unit_rows(units)
    deepest = max(r[7] for r in rows)
    return [r[0] for r in rows if r[7] == deepest]


def month_start(label: str) -> datetime:
    """The month's first instant in Asia/Shanghai (UTC+8), in UTC."""
    year, month = (int(p) for p in label.split("-"))
    return datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=8)


def quota_met(i: int, month_index: int) -> bool | None:
    g = i % 100
    if g < 30:
        return month_index != i % 12
    if g < 34:
        return None if month_index <= i % 6 else True
    return True


def transferred(i: int) -> bool:
    return i % 100 == 50


def load(
    learners: int,
    ledger_rows: int,
    units: int,
    activities: int,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict:
    """Write every row; returns row counts per table and the user id range."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from elearn_plugin.learning.models import LearningActivity
    from elearn_plugin.ledger.models import LedgerEntry
    from elearn_plugin.month_close.models import MonthClose, Standing
    from elearn_plugin.org.models import Membership, Person, Unit
    from elearn_plugin.standing.models import Sanction

    user_model = get_user_model()
    adapt = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    now = adapt(datetime.now(UTC))
    joined, moved = adapt(JOINED), adapt(TRANSFER_AT)
    base = (user_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    ids = range(base, base + learners)
    leaf = leaves(units)

    def unit_of(i: int) -> int:
        return leaf[i % len(leaf)]

    def moved_to(i: int) -> int:
        return leaf[(i + 7) % len(leaf)] if len(leaf) > 1 else leaf[0]

    mysql = connection.vendor == "mysql"
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        if mysql:
            cursor.execute("SET unique_checks=0, foreign_key_checks=0")
        progress("units, users, people, memberships")
        with transaction.atomic():
            counts["units"] = _insert(
                cursor,
                Unit,
                ["id", "code", "name", "parent", "kind", "travel_heavy", "path", "depth"],
                unit_rows(units),
            )
            counts["users"] = _insert(
                cursor,
                user_model,
                ["id", "password", "last_login", "is_superuser", "username", "first_name"]
                + ["last_name", "email", "is_staff", "is_active", "date_joined"],
                (
                    (u, "!", None, False, f"bench{u}", "", "", f"b{u}@example.com")
                    + (False, True, now)
                    for u in ids
                ),
            )
            counts["people"] = _insert(
                cursor,
                Person,
                ["user", "employee_id", "name", "unit", "job_role", "status"]
                + ["must_change_password", "hired_on", "left_on", "created_at", "updated_at"],
                (
                    (u, f"E{u:08d}", f"Learner {u}")
                    + (moved_to(i) if transferred(i) else unit_of(i), None, "active", False)
                    + (day(JOINED.date()), None, now, now)
                    for i, u in enumerate(ids)
                ),
            )
            stays = []
            for i, u in enumerate(ids):
                if transferred(i):
                    stays.append((u, unit_of(i), joined, moved, None))
                    stays.append((u, moved_to(i), moved, None, True))
                else:
                    stays.append((u, unit_of(i), joined, None, True))
            counts["memberships"] = _insert(
                cursor, Membership, ["user", "unit", "valid_from", "valid_to", "open_flag"], stays
            )
            counts["sanctions"] = _insert(
                cursor,
                Sanction,
                ["user", "kind", "reason_code", "source", "starts_at", "ends_at", "lifted_at"]
                + ["evidence", "created_at"],
                _sanctions(ids, adapt, now),
            )
        progress("ledger")
        counts["ledger_entries"] = 0
        rng = random.Random(25)
        per, extra = divmod(ledger_rows, learners)
        with transaction.atomic():
            counts["ledger_entries"] = _insert(
                cursor,
                LedgerEntry,
                ["user", "kind", "amount", "source_key", "occurred_at", "course_key"]
                + ["created_at"],
                (
                    row
                    for i, u in enumerate(ids)
                    for row in _ledger(u, per + (i < extra), rng, adapt, now)
                ),
            )
        progress("month closes and standings")
        with transaction.atomic():
            counts["month_closes"] = _insert(
                cursor,
                MonthClose,
                ["id", "period", "status", "policy_hash", "runner", "decided_at", "judged_at"]
                + ["closed_at", "learners"],
                [
                    (n, label, "closed", "bench", "inline")
                    + (adapt(month_start(label) + timedelta(days=32)),) * 3
                    + (learners,)
                    for n, label in enumerate(MONTHS, start=1)
                ],
            )
            counts["standings"] = _insert(
                cursor,
                Standing,
                ["close", "period", "user", "unit", "required_completed", "quota", "quota_met"]
                + ["missed_tasks", "months_with_misses", "consequences", "exempt", "evidence"]
                + ["judged_at"],
                (
                    (n, label, u, unit_of(i), 2, 2, met, 0, 0, "[]")
                    + ("hired_mid_month" if met is None else "", "{}", now)
                    for i, u in enumerate(ids)
                    for n, label in enumerate(MONTHS, start=1)
                    for met in (quota_met(i, n - 1),)
                ),
            )
        progress("learning activities")
        with transaction.atomic():
            counts["learning_activities"] = _insert(
                cursor,
                LearningActivity,
                ["user", "unit", "course_key", "kind", "source_key", "started_at", "ended_at"]
                + ["seconds", "classification", "created_at"],
                (
                    row
                    for i, u in enumerate(ids)
                    for row in _activities(i, u, activities, unit_of, moved_to, adapt, now)
                ),
            )
        if mysql:
            cursor.execute("SET unique_checks=1, foreign_key_checks=1")
            for model in (LedgerEntry, Standing, Person, Membership, Sanction, LearningActivity):
                cursor.execute(f"ANALYZE TABLE {model._meta.db_table}")
                cursor.fetchall()
        else:
            cursor.execute("ANALYZE")
    return {"counts": counts, "first_user_id": base, "last_user_id": base + learners - 1}


def _sanctions(ids: range, adapt, now) -> list[tuple]:
    def at(month: int, day: int, year: int = YEAR) -> str:
        return adapt(datetime(year, month, day, 4, tzinfo=UTC))

    rows = []
    for i, u in enumerate(ids):
        g = i % 200
        if g == 7:
            rows.append((u, "revocation", "missed_task_months", "bench:r", at(6, 1), None, None))
        elif g == 11:
            rows.append((u, "freeze", "sharing", "bench:f", at(12, 20), at(1, 20, YEAR + 1), None))
        elif g == 13:
            rows.append((u, "revocation", "missed_task_months", "bench:r", at(4, 1), None))
            rows[-1] += (at(9, 1),)
        elif g == 41:
            rows.append((u, "suspension", "missed_tasks", "bench:s", at(3, 1), at(3, 31), None))
        if i % 500 == 17:
            rows.append((u, "freeze", "sharing", "bench:f2", at(7, 1), at(8, 1), None))
    return [row + ("{}", now) for row in rows]


def _ledger(u: int, count: int, rng: random.Random, adapt, now):
    for k in range(count):
        if k % 10 == 9:
            kind, amount = "points", f"{rng.randint(10, 200)}.00"
            at = _YEAR_START + timedelta(seconds=rng.randrange(_YEAR_SECONDS))
        else:
            kind = "credit"
            draw = rng.random()
            amount = "-1.00" if draw < 0.005 else f"{rng.randint(1, 60) / 20:.2f}"
            if draw > 0.99:  # before the policy took effect
                at = datetime(2025, 12, 15, 4, tzinfo=UTC)
            else:
                at = _YEAR_START + timedelta(seconds=rng.randrange(_YEAR_SECONDS))
        yield (u, kind, amount, f"bench:{u}:{k}", adapt(at), "", now)


def _activities(i: int, u: int, count: int, unit_of, moved_to, adapt, now):
    start = month_start(HOURS_MONTH) + timedelta(hours=10)  # 1 October 02:00 UTC
    home = unit_of(i)
    classroom = home % 4
    for a in range(count + 1):
        if a == count:  # one in September: outside the month
            began = start - timedelta(days=10)
        else:
            began = start + timedelta(days=(a * 3 + i % 3) % 30, hours=i % 9)
        kind = "classroom" if a < classroom else ("video" if a % 2 else "other")
        seconds = 3600 + (i * 7 + a * 13) % 3600 if kind == "classroom" else 600 + (i + a) % 3000
        unit = moved_to(i) if transferred(i) and began >= TRANSFER_AT else home
        yield (
            u,
            unit,
            "",
            kind,
            f"bench:act:{u}:{a}",
            adapt(began),
            adapt(began + timedelta(seconds=seconds)),
            seconds,
            "window",
            now,
        )
