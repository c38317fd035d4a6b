"""The learner's own read API: the month summary and the archive (P-16, P-20, P-21, P-25,
P-26, P-31)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from elearn_plugin.courses import services as courses
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.learner.summary import PAGE_SIZE
from elearn_plugin.ledger.services import add_entry
from elearn_plugin.privacy.notice import acknowledge
from elearn_plugin.standing import services as standing
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401

SUMMARY, ARCHIVE = reverse("elearn:me-summary"), reverse("elearn:me-archive")
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
SAFETY, ETHICS = "course-v1:Org+Safety+2026", "course-v1:Org+Ethics+2026"


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    yield
    cache.clear()


def _month(user, hr):
    for key, title in ((SAFETY, "Safety"), (ETHICS, "Ethics")):
        courses.save_course_policy(
            courses.CoursePolicySpec(key, title, Decimal("2"), "required", "internal"), actor=hr
        )
    CourseCompletion.objects.create(
        user=user, course_key=SAFETY, completed_at=NOW - timedelta(days=3), source="verified"
    )
    Assignment.objects.create(
        user=user, course_key=ETHICS, due_at=NOW + timedelta(days=10), source="hr"
    )
    add_entry(user.pk, "credit", Decimal("2"), f"c:{SAFETY}", NOW - timedelta(days=3),
              course_key=SAFETY, actor=hr)  # fmt: skip


def test_the_summary_holds_the_month(client, make_user):  # P-16, P-20, P-21
    learner, hr = make_user(), make_user(is_staff=True)
    with freeze_time(NOW):
        _month(learner, hr)
        client.force_login(learner)
        data = client.get(SUMMARY).json()
    assert data["period"] == "2026-11"
    assert data["quota"] == {"required": 2, "completed": 1, "met": False}
    assert [(t["title"], t["overdue"]) for t in data["tasks"]] == [("Ethics", False)]
    assert data["credits"] == {"month": "2.00", "year": "2.00"}
    assert data["block"] is None and data["last_month"] is None


def test_a_warned_or_suspended_learner_sees_why(client, make_user):  # P-8
    learner = make_user()
    standing.impose(
        learner.pk, "suspension", "task_misses", "t:1",
        starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=6),
    )  # fmt: skip
    with freeze_time(NOW):
        # The session is ended by the middleware: the app's token path meets the same answer.
        client.force_login(learner)
        response = client.get(SUMMARY)
    assert response.status_code == 403


def test_the_archive_pages(client, make_user):  # P-26
    learner = make_user()
    CourseCompletion.objects.bulk_create(
        [
            CourseCompletion(
                user=learner,
                course_key=f"course-v1:Org+C{i}+2026",
                completed_at=NOW - timedelta(days=i),
                source="verified",
            )  # fmt: skip
            for i in range(PAGE_SIZE + 3)
        ]
    )
    client.force_login(learner)
    first = client.get(ARCHIVE).json()
    assert len(first["courses"]) == PAGE_SIZE and first["has_more"] is True
    second = client.get(ARCHIVE, {"page": 2}).json()
    assert len(second["courses"]) == 3 and second["has_more"] is False
    for bad in ("0", "-1", "x", "99999999"):
        assert client.get(ARCHIVE, {"page": bad}).status_code == 400


def test_summary_matrix(client, role_users):  # noqa: F811 - P-31
    # Every signed-in account reads its own, and only its own: there is no id to ask for.
    own = {r: 200 for r in ("learner", "other_learner", "contact", "other_contact", "hr")}
    own |= {"reviewer": 200, "publisher": 200, "anonymous": 403, "blocked": 403}
    assert_role_matrix(client, "get", SUMMARY, own)


def test_archive_matrix(client, role_users):  # noqa: F811 - P-31
    own = {r: 200 for r in ("learner", "other_learner", "contact", "other_contact", "hr")}
    own |= {"reviewer": 200, "publisher": 200, "anonymous": 403, "blocked": 403}
    assert_role_matrix(client, "get", ARCHIVE, own)


def test_the_video_shows_the_month_line(make_user):  # P-19
    from crum import set_current_request
    from django.test import RequestFactory

    from elearn_plugin.learner.line import month_line

    learner, hr = make_user(), make_user(is_staff=True)
    with freeze_time(NOW):
        _month(learner, hr)
        request = RequestFactory().get("/")
        request.user = learner
        line = month_line(learner, request)
        assert (
            line == "2026-11: 1 of 2 required courses · next: Ethics by 2026-11-30 · 2.00 credits"
        )
        assert month_line(None) == ""
        from tests.unit.video.test_block import OLX, _Runtime

        runtime = _Runtime()
        block = runtime.get_block(runtime.parse_xml_string(OLX))
        set_current_request(request)
        try:
            html = block.render("student_view", {}).content
        finally:
            set_current_request(None)
    assert "1 of 2 required courses" in html


def test_my_training_page_matrix(client, role_users):  # noqa: F811 - P-31, P-26
    page = reverse("elearn:my-training")
    signed_in = ("learner", "other_learner", "contact", "other_contact", "hr", "reviewer")
    signed_in += ("publisher",)
    # P-32: the privacy notice comes first, once.
    first = {r: 302 for r in signed_in} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", page, first)
    for role in signed_in:
        acknowledge(role_users.user(role).pk, actor=role_users.user(role))
    own = {r: 200 for r in signed_in} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", page, own)


def test_my_training_lists_the_archive(client, make_user):  # P-26
    learner, hr = make_user(), make_user(is_staff=True)
    with freeze_time(NOW):
        _month(learner, hr)
    acknowledge(learner.pk, actor=learner)  # P-32: the privacy notice read
    client.force_login(learner)
    page = client.get(reverse("elearn:my-training"), {"page": "x"}).content.decode()
    assert "Safety" in page and "2026-11-17" in page
