"""A small organisation for the staff pages: hq above sales and support, a contact of sales,
learners behind, on pace and suspended, required courses and tasks."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from elearn_plugin.courses import services as courses
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.standing import services as standing
from tests.helpers.role_matrix import role_users  # noqa: F401  (a fixture of this suite)
from tests.unit.policy.helpers import DEFAULT

POLICY = load_policy(DEFAULT)
TZ = POLICY.tz
# 20 November, two thirds of the month gone: one required course of two is due by now.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
R1, R2 = "course-v1:Org+R1+2026", "course-v1:Org+R2+2026"


@dataclass
class Org:
    hq: object
    sales: object
    support: object
    contact: object
    hr: object
    behind: object  # nothing done, one task overdue
    on_pace: object  # one of two done
    done: object  # quota met
    suspended: object
    newcomer: object  # transferred from support to sales this month
    elsewhere: object  # in support


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _person(user, unit, name, since):
    Person.objects.create(user=user, employee_id=f"E{user.pk:05d}", name=name, unit=unit)
    Membership.objects.create(user=user, unit=unit, valid_from=since)


@pytest.fixture
def staff_org(db, make_user) -> Org:
    hq, _ = org.create_unit("hq", "Headquarters")
    sales, _ = org.create_unit("sales", "Sales", parent_id=hq.pk)
    support, _ = org.create_unit("support", "Support", parent_id=hq.pk)
    for key in (R1, R2):
        courses.save_course_policy(
            courses.CoursePolicySpec(key, key[-7:], Decimal("1"), "required", "internal")
        )
    start = NOW - timedelta(days=400)
    users = {label: make_user() for label in (
        "contact", "behind", "on_pace", "done", "suspended", "newcomer", "elsewhere"
    )}  # fmt: skip
    hr = make_user(is_staff=True)
    _person(users["contact"], sales, "Contact Chen", start)
    _person(users["behind"], sales, "Behind Bai", start)
    _person(users["on_pace"], sales, "Pace Pan", start)
    _person(users["done"], sales, "Done Deng", start)
    _person(users["suspended"], sales, "Susp Sun", start)
    _person(users["elsewhere"], support, "Else Ebo", start)
    newcomer = users["newcomer"]
    Person.objects.create(user=newcomer, employee_id="E90000", name="New Niu", unit=sales)
    Membership.objects.create(
        user=newcomer,
        unit=support,
        valid_from=start,
        valid_to=NOW - timedelta(days=5),
        open_flag=None,
    )
    Membership.objects.create(user=newcomer, unit=sales, valid_from=NOW - timedelta(days=5))
    org.assign_contact(users["contact"].pk, sales.pk)
    Assignment.objects.create(
        user=users["behind"], course_key=R1, due_at=NOW - timedelta(days=2), source="hr"
    )
    Assignment.objects.create(
        user=users["on_pace"], course_key=R2, due_at=NOW + timedelta(days=5), source="hr"
    )
    done_at = NOW - timedelta(days=3)
    for user, keys in ((users["on_pace"], [R1]), (users["done"], [R1, R2]),
                       (users["newcomer"], [R1])):  # fmt: skip
        for key in keys:
            CourseCompletion.objects.create(
                user=user, course_key=key, completed_at=done_at, source="verified"
            )
    LearningActivity.objects.create(
        user=users["done"], unit_id=sales.pk, course_key=R1, kind="video",
        source_key="a1", started_at=done_at, ended_at=done_at + timedelta(hours=1, minutes=30),
        seconds=5400, classification="off_hours",
    )  # fmt: skip
    standing.impose(
        users["suspended"].pk, "suspension", "task_misses", "staff:t",
        starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=29),
    )  # fmt: skip
    return Org(hq=hq, sales=sales, support=support, hr=hr, **users)
