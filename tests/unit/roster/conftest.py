"""Fixtures of the roster suite: units, job roles, people, and roster files.

The sync writes through the real org and lifecycle writers (`elearn_plugin.lifecycle.
services`): nothing of them is faked here.
"""

from datetime import date, datetime

import pytest

from elearn_plugin import audit
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.rules.roster import RosterPerson
from tests.unit.policy.helpers import DEFAULT

TZ = load_policy(DEFAULT).tz
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
HEADER = "employee_id,username,name,email,unit,job_role,status,hired,left"


@pytest.fixture
def org_tree(db):
    with audit.acting_as("system:tests"):
        return _org_tree()


def _org_tree():
    hq, _ = org.create_unit("hq", "Headquarters")
    sales, _ = org.create_unit("sales", "Sales", parent_id=hq.id)
    ops, _ = org.create_unit("ops", "Operations", parent_id=hq.id)
    clerk, _ = org.upsert_job_role("clerk", "Clerk")
    manager, _ = org.upsert_job_role("manager", "Manager")
    return {"hq": hq, "sales": sales, "ops": ops, "clerk": clerk, "manager": manager}


@pytest.fixture
def people(make_user, org_tree):
    """`count` active people in `unit` with `role`, employee ids E0001…, since 2025-01-01."""

    def _make(count: int, unit: str = "hq", role: str = "clerk", start: int = 1) -> list[Person]:
        users = [make_user(f"u{start + i:04d}") for i in range(count)]
        Person.objects.bulk_create(
            [
                Person(
                    user=u,
                    employee_id=f"E{start + i:04d}",
                    name="x",
                    unit=org_tree[unit],
                    job_role=org_tree[role],
                )
                for i, u in enumerate(users)
            ]
        )
        with audit.acting_as("system:tests"):
            org.set_units_bulk(
                [(u.id, org_tree[unit].id) for u in users], datetime(2025, 1, 1, tzinfo=TZ)
            )
        return list(Person.objects.filter(user__in=users).order_by("employee_id"))

    return _make


def roster_of(people, **changes) -> list[RosterPerson]:
    """The roster listing `people` as they are, with `changes` {employee_id: {field: value}}."""
    result = []
    for i, p in enumerate(people, start=2):
        values = {
            "employee_id": p.employee_id,
            "username": p.user.username,
            "name": p.name,
            "email": p.user.email,
            "unit": p.unit.code,
            "job_role": p.job_role.code if p.job_role else "",
            "status": "active" if p.status == Person.ACTIVE else "left",
            "hired": None,
            "left": p.left_on,
            "line": i,
        }
        values.update(changes.get(p.employee_id, {}))
        result.append(RosterPerson(**values))
    return result


def new_person(employee_id: str, unit: str = "sales", role: str = "clerk", **kw) -> RosterPerson:
    values = {
        "employee_id": employee_id,
        "username": employee_id.lower(),
        "name": "New",
        "email": "",
        "unit": unit,
        "job_role": role,
        "status": "active",
        "line": 99,
    }
    values.update(kw)
    return RosterPerson(**values)


def csv_of(roster: list[RosterPerson]) -> str:
    lines = [HEADER]
    for p in roster:
        cells = [
            p.employee_id,
            p.username,
            p.name,
            p.email,
            p.unit,
            p.job_role,
            p.status,
            p.hired.isoformat() if p.hired else "",
            p.left.isoformat() if p.left else "",
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def leaving(day: date) -> dict:
    return {"status": "left", "left": day}
