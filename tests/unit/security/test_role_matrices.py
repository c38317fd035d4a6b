"""Role matrices of the endpoints and XBlock handlers that had none (P-31).

Each test states the status code every role gets; `test_endpoint_inventory` lists them.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from freezegun import freeze_time
from xblock.django.request import django_to_webob_request

from elearn_plugin.video.models import WatchSession
from elearn_plugin.video.services import VideoSpec, register_video
from tests.helpers.role_matrix import ROLES, assert_role_matrix, make_role_users
from tests.unit.video.conftest import SUNDAY_EVENING
from tests.unit.video.test_block import OLX, _Runtime

ACTIVE = {role: 200 for role in ROLES}


def _matrix(anonymous: int, active: int, blocked: int = 403, **special: int) -> dict[str, int]:
    expected = {role: active for role in ROLES}
    expected.update(anonymous=anonymous, blocked=blocked, **special)
    return expected


# P-2, P-31: every account changes its own password only; the blocked one is signed out
def test_password_change_matrix(client, role_users):
    url = reverse("elearn:password_change")
    assert_role_matrix(client, "get", url, _matrix(anonymous=302, active=200))
    # An empty form is refused with 400 after the role check.
    assert_role_matrix(client, "post", url, _matrix(anonymous=302, active=400), data={})


# P-31, P-33: the health report is for HR only (503: the tick has never run here)
def test_health_matrix(client, role_users):
    url = reverse("elearn:health")
    assert_role_matrix(client, "get", url, _matrix(anonymous=401, active=403, hr=503))
    assert_role_matrix(
        client, "post", url, _matrix(anonymous=405, active=405, blocked=403), data={}
    )


# P-17, P-31: a watch session is opened by a signed-in, unblocked learner for themselves
def test_video_session_matrix(client, role_users):
    assert_role_matrix(
        client,
        "post",
        reverse("elearn:video-session"),
        _matrix(anonymous=403, active=400),
        data={},
        content_type="application/json",
    )


# P-17, P-31: a session for a known video only for a learner enrolled in its course (403 else)
def test_video_session_matrix_for_a_known_video(client, role_users):
    from elearn_plugin.host.access import FakeAccessAdapter

    key = "block-v1:Org+C1+2026+type@elearn_video+block@intro"
    register_video(VideoSpec(block_key=key, course_key="course-v1:Org+C1+2026", duration=60.0))
    FakeAccessAdapter.enrol(role_users.learner.pk, "course-v1:Org+C1+2026")
    try:
        with freeze_time(SUNDAY_EVENING):
            assert_role_matrix(
                client,
                "post",
                reverse("elearn:video-session"),
                _matrix(anonymous=403, active=403, learner=201),
                data={"block_key": key},
                content_type="application/json",
            )
    finally:
        FakeAccessAdapter.clear()
    assert WatchSession.objects.filter(user=role_users.learner).count() == 1
    assert WatchSession.objects.count() == 1


# P-19, P-31: a learner reads only their own progress; no query names another learner
def test_video_state_matrix(client, role_users):
    url = reverse("elearn:video-state")
    assert_role_matrix(client, "get", url, _matrix(anonymous=403, active=400))
    key = "block-v1:Org+C1+2026+type@elearn_video+block@intro"
    register_video(VideoSpec(block_key=key, course_key="course-v1:Org+C1+2026", duration=60.0))
    assert_role_matrix(
        client, "get", url, _matrix(anonymous=403, active=200), data={"block_key": key}
    )


def _call_handler(block, handler: str, user, body: bytes = b"{}") -> int:
    request = RequestFactory().post(
        "/handler", data=body, content_type="application/json", REMOTE_ADDR="10.0.0.5"
    )
    request.user = user
    request.session = None
    return block.handle(handler, django_to_webob_request(request)).status_code


def assert_handler_matrix(block, handler: str, expected: dict[str, int], users, body=b"{}"):
    """Call an XBlock handler as each role and compare status codes; report every mismatch."""
    assert set(expected) == set(ROLES), "expected must name every role"
    mismatches = []
    for role in ROLES:
        user = users.user(role) or AnonymousUser()
        status = _call_handler(block, handler, user, body)
        if status != expected[role]:
            mismatches.append(f"{role}: expected {expected[role]}, got {status}")
    assert not mismatches, f"handler {handler}:\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize(
    ("handler", "active", "body"),
    [
        ("start_session", 200, b"{}"),
        ("state", 200, b"{}"),
        ("complete", 409, b"{}"),  # nobody has watched it: refused after the role check
        ("media_duration", 200, json.dumps({"duration": 60.0}).encode()),
    ],
)
# P-8, P-17, P-31: handlers act for the signed-in, unblocked learner only
def test_video_handler_matrix(db, handler, active, body):
    runtime = _Runtime()
    block = runtime.get_block(runtime.parse_xml_string(OLX))
    with freeze_time(SUNDAY_EVENING):
        # Created under the frozen clock, so that the blocked learner's week is in force.
        users = make_role_users()
        register_video(block.video_spec())
        assert_handler_matrix(block, handler, _matrix(anonymous=401, active=active), users, body)
    if handler == "start_session":
        # One session per active role; none for the blocked learner.
        assert WatchSession.objects.filter(user=users.blocked).count() == 0
        assert WatchSession.objects.filter(user=users.learner).count() == 1
    assert runtime.published == []
