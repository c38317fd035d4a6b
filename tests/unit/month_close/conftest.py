"""Fixtures of the month-close suite: required courses, a unit tree and learners in it."""

from datetime import datetime
from decimal import Decimal

import pytest

from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    CoursePolicySpec,
    assign_bulk,
    record_completions_bulk,
    save_course_policy,
)
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.policy.loader import load_policy
from tests.helpers.role_matrix import role_users  # noqa: F401
from tests.unit.policy.helpers import DEFAULT

POLICY = load_policy(DEFAULT)
TZ = POLICY.tz
R1, R2, R3, R4 = (f"course-v1:Org+REQ{n}+2026" for n in range(1, 5))
ELECTIVE = "course-v1:Org+ELE1+2026"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


CLOSED_AT = local(2026, 4, 1, 2)


@pytest.fixture
def courses(db):
    for key in (R1, R2, R3, R4):
        save_course_policy(CoursePolicySpec(key, key, Decimal("1"), "required", "internal"))
    save_course_policy(CoursePolicySpec(ELECTIVE, "e", Decimal("1"), "elective", "internal"))


@pytest.fixture
def units(db):
    hq, _ = org.create_unit("hq", "Headquarters")
    sales, _ = org.create_unit("sales", "Sales", parent_id=hq.id)
    return {"hq": hq, "sales": sales}


@pytest.fixture
def people(make_user, units):
    """Learners in hq from `since` (one membership each, through the org writer)."""

    def _make(count: int, since: datetime) -> list[int]:
        users = [make_user() for _ in range(count)]
        Person.objects.bulk_create(
            [Person(user=u, employee_id=f"E{u.id}", name="x", unit=units["hq"]) for u in users]
        )
        org.set_units_bulk([(u.id, units["hq"].id) for u in users], since)
        return [u.id for u in users]

    return _make


def assign(user_id: int, *courses: tuple[str, datetime], assigned_at: datetime | None = None):
    """HR assigns courses; by default long before the months the tests close."""
    when = assigned_at or local(2025, 11, 1)
    assign_bulk([AssignmentSpec(user_id, key, due, assigned_at=when) for key, due in courses])


def complete(user_id: int, *courses: tuple[str, datetime]) -> None:
    record_completions_bulk([CompletionSpec(user_id, key, at) for key, at in courses])
