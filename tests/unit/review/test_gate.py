"""The `elearn_approval` gate: learners see its children only while HR approved exactly this
content; the course team always sees them; an edit after approval hides them again (P-10,
P-11)."""

import json

import pytest
from crum import set_current_request
from django.test import RequestFactory

from elearn_plugin.review import services
from elearn_plugin.review.models import ReviewItem
from elearn_plugin.rules.review import CHECKLIST
from elearn_plugin.xblocks.approval.fingerprint import fingerprint
from tests.helpers.role_matrix import make_role_users
from tests.unit.security.test_role_matrices import _call_handler, assert_handler_matrix
from tests.unit.video.test_block import _Runtime  # in-memory fields, Django translations

OLX = """<elearn_approval display_name="Fire safety">
  <elearn_video display_name="Exits" duration="5.0">
    <source src="https://media.example.com/exits.mp4"/>
  </elearn_video>
</elearn_approval>"""
NOTICE = "Under review"
PLAYER = "elearn-video"


@pytest.fixture
def gate():
    runtime = _Runtime()
    return runtime.get_block(runtime.parse_xml_string(OLX))


@pytest.fixture
def users(db):
    return make_role_users()


def _seen_by(gate, user) -> str:
    request = RequestFactory().get("/courseware")
    request.user = user
    set_current_request(request)
    try:
        return gate.render("student_view", {}).content
    finally:
        set_current_request(None)


def _approve(gate, users):
    assert _call_handler(gate, "submit", users.publisher) == 200
    item = ReviewItem.objects.get(fingerprint=fingerprint(gate))
    services.decide(item.pk, "approve", actor=users.hr, checklist=dict.fromkeys(CHECKLIST, True))


def test_learners_see_the_content_only_once_approved(gate, users):  # P-10, P-11
    assert NOTICE in _seen_by(gate, users.learner)
    assert PLAYER not in _seen_by(gate, users.learner)
    assert PLAYER in _seen_by(gate, users.publisher)  # the course team previews
    assert PLAYER in _seen_by(gate, users.reviewer)
    _approve(gate, users)
    assert PLAYER in _seen_by(gate, users.learner)


def test_an_edit_after_approval_hides_it_until_approved_again(gate, users):  # P-11
    _approve(gate, users)
    approved = fingerprint(gate)
    (video,) = gate.get_children()
    video.duration = 6.0  # the course team edits the video, and Studio saves it
    video.save()
    assert fingerprint(gate) != approved
    assert NOTICE in _seen_by(gate, users.learner)
    _approve(gate, users)
    assert PLAYER in _seen_by(gate, users.learner)


def test_renaming_the_gate_itself_keeps_the_approval(gate, users):
    _approve(gate, users)
    gate.display_name = "Fire safety (2026)"
    gate.save()
    assert PLAYER in _seen_by(gate, users.learner)


def test_a_rejected_unit_stays_hidden(gate, users):  # P-10
    assert _call_handler(gate, "submit", users.publisher) == 200
    item = ReviewItem.objects.get()
    services.decide(item.pk, "reject", actor=users.hr, reason="Exits are wrong.")
    assert NOTICE in _seen_by(gate, users.learner)


def test_the_author_view_shows_the_state_and_the_change(gate, users):
    _approve(gate, users)
    (video,) = gate.get_children()
    video.duration = 7.0
    video.save()
    content = gate.render("author_view", {}).content
    assert "changed since it was approved" in content
    assert "Submit for review" in content


def test_submit_handler_matrix(gate, users):  # P-31
    expected = {role: 403 for role in ("learner", "other_learner", "contact", "other_contact")}
    expected |= {"anonymous": 401, "hr": 403, "reviewer": 403, "publisher": 200, "blocked": 403}
    assert_handler_matrix(gate, "submit", expected, users)
    assert ReviewItem.objects.get().submitted_by_id == users.publisher.pk


def test_the_handler_answers_json_and_refuses_get(gate, users):
    request = RequestFactory().get("/handler")
    request.user = users.publisher
    from xblock.django.request import django_to_webob_request

    response = gate.handle("submit", django_to_webob_request(request))
    assert response.status_code == 405
    assert json.loads(response.body)["code"] == "method_not_allowed"


def test_gates_of_an_external_course_are_open(gate, users):  # P-9
    from elearn_plugin.courses import services as courses

    course_key, _block = gate.keys()
    courses.save_course_policy(
        courses.CoursePolicySpec(
            course_key=course_key, title="Bought course", credits=1, kind="required",
            origin="external",
        ),
        actor=users.hr,
    )  # fmt: skip
    assert PLAYER in _seen_by(gate, users.learner)


def test_only_hr_may_run_an_external_course(gate, users):  # P-9
    from elearn_plugin.courses import services as courses
    from elearn_plugin.host.roles import FakeRolesAdapter
    from elearn_plugin.review.jobs import external_course_teams

    course_key, _block = gate.keys()
    courses.save_course_policy(
        courses.CoursePolicySpec(
            course_key=course_key, title="Bought course", credits=1, kind="required",
            origin="external",
        ),
        actor=users.hr,
    )  # fmt: skip
    FakeRolesAdapter.grant(users.hr.pk, course_key)
    try:
        assert external_course_teams(None) == []
        FakeRolesAdapter.grant(users.publisher.pk, course_key)
        assert external_course_teams(None) == [f"external_course_team:{course_key}"]
    finally:
        FakeRolesAdapter.clear()


def test_the_apps_data_of_a_gated_video_holds_no_sources(gate, users):  # P-10
    # The course blocks API collects student_view_data without a user: no sources leak.
    (video,) = gate.get_children()
    data = video.student_view_data()
    assert data == {"title": "Exits", "under_review": True}
    _approve(gate, users)
    assert video.student_view_data()["sources"] == ["https://media.example.com/exits.mp4"]
