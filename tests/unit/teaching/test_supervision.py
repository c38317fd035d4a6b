"""Each course's supervision figures (P-30) on constructed data, and every page's cost
independent of the number of learners (grouped queries, no loop per learner)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from elearn_plugin import audit
from elearn_plugin.courses.assignment_apply import withdraw
from elearn_plugin.courses.models import Assignment
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.teaching import services, supervision
from elearn_plugin.teaching.models import Instructor
from tests.unit.teaching.conftest import COURSE, T0, assign, classroom, complete, course

NOW = T0 + timedelta(days=20)
OTHER = "course-v1:Org+TEACH2+2026"


def _rows():
    return {r["course_key"]: r for r in supervision.course_rows(NOW, get_policy().tz)}


def test_the_figures_of_a_course(make_user):  # P-30
    run = course()
    course(OTHER, "Nobody enrolled")
    fast, slow, behind, on_time, withdrawn, outsider = (make_user() for _ in range(6))
    for user in (fast, slow, behind, withdrawn):
        assign(user, due=T0 + timedelta(days=10))
    assign(on_time, at=T0 + timedelta(days=15), due=T0 + timedelta(days=45))
    complete(fast, at=T0 + timedelta(days=2))
    complete(slow, at=T0 + timedelta(days=6, hours=3))
    complete(outsider, at=T0 + timedelta(days=1))  # completed, never assigned: not counted
    with transaction.atomic():
        ids = Assignment.objects.filter(user=withdrawn).values_list("pk", flat=True)
        withdraw(ids, "role_changed", who=audit.resolve(None), when=T0)
    services.rate_session(fast, run.pk, 4)
    services.rate_session(slow, run.pk, 5)
    services.rate_session(outsider, run.pk, 1)  # completed: may rate, though never assigned
    row = _rows()[COURSE]
    assert (row["learners"], row["completed"], row["completion_rate"]) == (4, 2, Decimal("50.0"))
    assert row["median_days"] == 4.0
    assert (row["behind"], row["behind_share"]) == (1, Decimal("25.0"))
    assert (row["rating"], row["rating_count"]) == (Decimal("3.33"), 3)
    assert OTHER not in _rows()  # no learners: not listed


def test_a_completion_before_the_assignment_has_no_days(make_user):  # P-30
    course()
    early, later = make_user(), make_user()
    complete(early, at=T0 - timedelta(days=9))
    assign(early)
    assign(later)
    complete(later, at=T0 + timedelta(days=3))
    row = _rows()[COURSE]
    assert row["completed"] == 2 and row["completion_rate"] == Decimal("100.0")
    assert row["median_days"] == 3


def test_days_are_counted_from_the_first_assignment(make_user):  # P-30
    course()
    learner = make_user()
    assign(learner, at=T0)
    from elearn_plugin.courses import services as courses

    courses.assign_bulk(
        [courses.AssignmentSpec(learner.pk, COURSE, T0 + timedelta(days=30), "chosen",
                                assigned_at=T0 + timedelta(days=5))]
    )  # fmt: skip
    complete(learner, at=T0 + timedelta(days=7))
    row = _rows()[COURSE]
    assert row["learners"] == 1 and row["median_days"] == 7


def _learners(make_user, n: int, talk, run) -> None:
    """`n` more learners: each attended the talk and rated it; every other one completed
    the course and rated it too."""
    people = [make_user() for _ in range(n)]
    talk_spec = talk.classroom
    from elearn_plugin.learning.classroom import ClassroomSessionSpec, record_classroom_session

    record_classroom_session(
        ClassroomSessionSpec(
            talk_spec.session_key, talk_spec.title, talk_spec.instructor_name,
            talk_spec.started_at, talk_spec.duration_seconds,
        ),
        [u.pk for u in people],
    )  # fmt: skip
    for i, user in enumerate(people):
        assign(user, due=T0 + timedelta(days=5))
        if i % 2:
            complete(user, at=T0 + timedelta(days=1 + i % 7))
            services.rate_session(user, run.pk, 1 + i % 5)
        services.rate_session(user, talk.pk, 1 + (i * 3) % 5)


def _count(client, url) -> int:
    client.get(url)  # the session, the account and its roles are read and cached once
    with freeze_time(NOW), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("page", "export"),
    [
        ("teaching-instructors", False),
        ("teaching-courses", False),
        ("teaching-instructor", False),
        ("teaching-courses-export", True),
        ("teaching-instructor-export", True),
    ],
)
def test_a_page_costs_the_same_for_3_and_30_learners(client, make_user, page, export):  # P-30
    client.force_login(make_user(is_staff=True))
    talk = classroom("Sun Li", [], rating="4.0")
    run = course()
    services.name_instructor(COURSE, "Sun Li")
    classroom("Qian Jin", [make_user()])
    args = [Instructor.objects.get(key="sun li").pk] if "instructor-" in page + "-" else []
    if page == "teaching-instructor-export":
        args.append("sessions")
    url = reverse(f"elearn:{page}", args=[*args, "csv"] if export else args)
    counts = []
    for n in (3, 27):
        _learners(make_user, n, talk, run)
        counts.append(_count(client, url))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
