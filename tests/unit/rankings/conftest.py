"""Fixtures of the rankings and hours suite: the month close's courses, units and people,
and a first quarter closed with learners who met the quota, missed it once, or were revoked."""

from decimal import Decimal

import pytest

from elearn_plugin.ledger.services import CREDIT, POINTS, LedgerEntrySpec, add_entries_bulk
from elearn_plugin.month_close import runner
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.standing.services import impose
from tests.helpers.role_matrix import role_users  # noqa: F401 (a fixture)
from tests.unit.month_close.conftest import (  # noqa: F401 (fixtures)
    POLICY,
    R1,
    R2,
    R3,
    R4,
    TZ,
    assign,
    complete,
    courses,
    local,
    people,
    units,
)

HASH = "c" * 64
MAR = period_from_label("2026-03", TZ)
AFTER_MARCH = local(2026, 4, 1, 0, 5)


def bonus(user_id: int, amount: str, at, key: str = "bonus") -> None:
    """Credits from outside a course (HR's correction), through the ledger's writer."""
    add_entries_bulk([LedgerEntrySpec(user_id, CREDIT, Decimal(amount), f"{key}:{user_id}", at)])


def close(through, now=AFTER_MARCH, policy=POLICY):
    return runner.close_through(through, policy, HASH, runner="inline", now=now)


@pytest.fixture
def quarter(courses, people, units):  # noqa: F811 (the imported fixtures)
    """Q1 2026 closed. All four required courses assigned in November, due in June:

    - `a` met the quota in January and March but not in February, and has most credits;
    - `b` and `c` met it in January and February (nothing left to do in March): 4 each;
    - `d` met it too and has 24 credits, but is revoked on 20 March;
    - `p` met it and earned contribution points only beyond its courses (not credits); p
      works in sales from 1 February.
    """
    a, b, c, d, p = people(5, local(2025, 12, 1))
    for user_id in (a, b, c, d, p):
        assign(user_id, *((key, local(2026, 6, 30)) for key in (R1, R2, R3, R4)))
    complete(a, (R1, local(2026, 1, 5)), (R2, local(2026, 1, 6)))
    complete(a, (R3, local(2026, 3, 5)), (R4, local(2026, 3, 6)))
    bonus(a, "10", local(2026, 3, 7))
    for user_id in (b, c, d, p):
        complete(user_id, (R1, local(2026, 1, 8)), (R2, local(2026, 1, 9)))
        complete(user_id, (R3, local(2026, 2, 8)), (R4, local(2026, 2, 9)))
    bonus(d, "20", local(2026, 2, 10))
    add_entries_bulk([LedgerEntrySpec(p, POINTS, Decimal("50"), "points:p", local(2026, 2, 11))])
    org.set_units_bulk([(p, units["sales"].id)], local(2026, 2, 1))
    impose(d, "revocation", "missed_task_months", "hr:case-1", starts_at=local(2026, 3, 20))
    for user_id, employee_id in ((a, "E-a"), (b, "E-b"), (c, "E-c"), (d, "E-d"), (p, "E-p")):
        Person.objects.filter(user_id=user_id).update(employee_id=employee_id)
    close(MAR)
    return {"a": a, "b": b, "c": c, "d": d, "p": p}
