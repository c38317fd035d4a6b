"""The report endpoint and its neighbours through the full middleware stack (P-17, P-31)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.authentication import BaseAuthentication

from elearn_plugin.learning.models import PermittedSlot
from elearn_plugin.video import services
from elearn_plugin.video.models import WatchProgress
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.video.conftest import BLOCK, COURSE, OFFICE, SUNDAY_EVENING, enrol, later

REPORT = reverse("elearn:video-report")


def _post(client, url, body, **extra):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, raw, content_type="application/json", **extra)


@pytest.fixture
def grant(learner, spec):
    return services.start_session(learner, spec, OFFICE, now=SUNDAY_EVENING)


@pytest.fixture
def logged_in(client, learner):
    client.force_login(learner)
    return client


def _intervals(learner):
    return WatchProgress.objects.get(user_id=learner.pk, block_key=BLOCK).intervals


# P-17: an accepted report costs at most 3 queries beyond authentication
def test_accepted_report_query_budget(logged_in, learner, grant, django_assert_max_num_queries):
    with freeze_time(later(SUNDAY_EVENING, 11)):
        # Warm the per-request authentication path (session, user) and the shared caches.
        assert _post(logged_in, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10})
    with freeze_time(later(SUNDAY_EVENING, 22)):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = _post(
                logged_in, REPORT, {"token": grant.token, "seq": 2, "start": 10, "end": 20}
            )
        assert response.status_code == 200, response.content
        # Authentication is the session and the user; roles and standing come from caches.
        auth = [
            q["sql"]
            for q in ctx.captured_queries
            if "django_session" in q["sql"] or 'FROM "auth_user"' in q["sql"]
        ]
        assert len(auth) == 2, ctx.captured_queries
    with freeze_time(later(SUNDAY_EVENING, 33)):
        with django_assert_max_num_queries(3 + len(auth)) as captured:
            response = _post(
                logged_in, REPORT, {"token": grant.token, "seq": 3, "start": 20, "end": 30}
            )
    assert response.status_code == 200
    assert response.json()["watched_seconds"] == 30
    report = [q["sql"] for q in captured.captured_queries if q["sql"] not in auth]
    assert not [q for q in report if "auth_group" in q or "trainingcontact" in q], report


# P-17: the full stack accepts a report and answers with the verified state
def test_report_through_view(logged_in, learner, grant):
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(logged_in, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10})
    assert response.status_code == 200
    assert response.json()["intervals"] == [[0.0, 10.0]]


@pytest.mark.parametrize(
    "raw",
    [
        '{"token": "%s", "seq": 1, "start": NaN, "end": 5}',
        '{"token": "%s", "seq": 1, "start": 0, "end": Infinity}',
        '{"token": "%s", "seq": 1, "start": -2, "end": 5}',
        '{"token": "%s", "seq": 1, "start": 0, "end": 1e400}',
        '{"token": "%s", "seq": 1, "start": "zero", "end": 5}',
        '{"token": "%s", "seq": "one", "start": 0, "end": 5}',
        '["%s", 1, 0, 5]',
        "not json %s",
    ],
)
# P-17: NaN, Infinity, negative, huge and non-numeric values
def test_bad_values_answer_400_and_change_nothing(logged_in, learner, grant, raw):
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(logged_in, REPORT, raw % grant.token)
    assert response.status_code == 400
    assert response.json()["message"]
    assert _intervals(learner) == []


# P-17: reports beyond the frontier answer 422 with a message
def test_seek_ahead_answers_422(logged_in, learner, grant):
    with freeze_time(later(SUNDAY_EVENING, 300)):
        response = _post(
            logged_in, REPORT, {"token": grant.token, "seq": 1, "start": 50, "end": 60}
        )
    assert response.status_code == 422
    assert response.json()["code"] == "beyond_frontier"
    assert _intervals(learner) == []


# P-31: the browser's session needs its CSRF token
def test_missing_csrf_is_refused(learner, grant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(client, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10})
    assert response.status_code == 403
    assert _intervals(learner) == []


# P-17: bodies over 4 KB are refused
def test_large_body_is_refused(logged_in, learner, grant):
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10, "pad": "x" * 5000}
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(logged_in, REPORT, body)
    assert response.status_code == 413
    assert _intervals(learner) == []


# P-17: per-learner rate limit
def test_rate_limit_answers_429(logged_in, learner, grant, settings):
    settings.ELEARN_VIDEO_RATE_LIMIT = 1
    with freeze_time(later(SUNDAY_EVENING, 11)):
        ok = _post(logged_in, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 5})
        limited = _post(logged_in, REPORT, {"token": grant.token, "seq": 2, "start": 5, "end": 6})
    assert ok.status_code == 200 and limited.status_code == 429
    assert _intervals(learner) == [[0.0, 5.0]]


# P-31: another learner's token
def test_other_learners_token_answers_403(client, make_user, learner, grant):
    client.force_login(make_user())
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(client, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 5})
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_user"


# P-31: anonymous reports are refused
def test_anonymous_report_is_refused(client, grant):
    response = _post(client, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 5})
    assert response.status_code == 403


class BearerIdAuthentication(BaseAuthentication):
    """A stand-in for the LMS's JWT/bearer classes: `Bearer user-<id>`."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer user-"):
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=int(header.rsplit("-", 1)[1])).first()
        return (user, None) if user else None

    def authenticate_header(self, request):
        return "Bearer"


# P-19: the mobile apps report with a token (no session, no CSRF)
def test_token_authenticated_report(learner, grant, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [
        "tests.unit.video.test_views.BearerIdAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer user-{learner.pk}"}
    enrol(learner)
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(
            client, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10}, **auth
        )
        state = client.get(reverse("elearn:video-state"), {"block_key": BLOCK}, **auth)
        session = _post(client, reverse("elearn:video-session"), {"block_key": BLOCK}, **auth)
    assert response.status_code == 200, response.content
    assert state.json()["watched_seconds"] == 10
    assert session.status_code == 201 and session.json()["position"] == 10
    assert _post(
        client, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    ).status_code in (
        401,
        403,
    )


# P-19
def test_session_endpoint_refuses_unknown_or_bad_block(logged_in):
    url = reverse("elearn:video-session")
    assert (
        _post(logged_in, url, {"block_key": "block-v1:Org+C9+2026+type@x+block@y"}).status_code
        == 404
    )
    assert _post(logged_in, url, {"block_key": "<bad>"}).status_code == 400
    assert _post(logged_in, url, {}).status_code == 400


# P-31: role matrix of the report endpoint (an empty body is refused after the role check)
def test_report_role_matrix(client, role_users):  # noqa: F811
    assert_role_matrix(
        client,
        "post",
        REPORT,
        {
            "anonymous": 403,
            "learner": 400,
            "other_learner": 400,
            "contact": 400,
            "other_contact": 400,
            "hr": 400,
            "reviewer": 400,
            "publisher": 400,
            "blocked": 403,
        },
        data={},
        content_type="application/json",
    )


# P-18, P-31: only a training contact of the learner's unit (or HR) grants slots
def test_grant_slot_role_matrix(client, role_users):  # noqa: F811
    body = {
        "user_id": role_users.learner.pk,
        "starts_at": "2026-01-06 09:00",
        "ends_at": "2026-01-06 10:00",
        "reason": "Safety course before the audit",
    }
    assert_role_matrix(
        client,
        "post",
        reverse("elearn:learning-grant-slot"),
        {
            "anonymous": 403,
            "learner": 403,
            "other_learner": 403,
            "contact": 201,
            "other_contact": 403,
            "hr": 201,
            "reviewer": 403,
            "publisher": 403,
            "blocked": 403,
        },
        data=body,
        content_type="application/json",
    )
    assert PermittedSlot.objects.filter(user=role_users.learner).count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"user_id": "abc"},
        {"user_id": 0},
        {"starts_at": "tomorrow"},
        {"ends_at": "2026-01-06 08:00"},
        {"reason": ""},
    ],
)
# P-18: broken input gets a clear error and grants nothing
def test_grant_slot_bad_input(client, role_users, change):  # noqa: F811
    body = {
        "user_id": role_users.learner.pk,
        "starts_at": "2026-01-06 09:00",
        "ends_at": "2026-01-06 10:00",
        "reason": "Safety",
        **change,
    }
    client.force_login(role_users.contact)
    response = _post(client, reverse("elearn:learning-grant-slot"), body)
    assert response.status_code == 400
    assert response.json()["message"]
    assert not PermittedSlot.objects.exists()


# P-31, P-32: an unknown learner id looks like any id outside the contact's units (no probing
# which ids exist); HR, who may act on everyone, is told the learner does not exist.
def test_grant_slot_unknown_learner(client, role_users):  # noqa: F811
    body = {
        "user_id": 99999999,
        "starts_at": "2026-01-06 09:00",
        "ends_at": "2026-01-06 10:00",
        "reason": "Safety",
    }
    client.force_login(role_users.contact)
    assert _post(client, reverse("elearn:learning-grant-slot"), body).status_code == 403
    client.force_login(role_users.hr)
    response = _post(client, reverse("elearn:learning-grant-slot"), body)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_user"
    assert not PermittedSlot.objects.exists()


# P-18, P-31: the page for training contacts
def test_grant_slot_page(client, role_users):  # noqa: F811
    url = reverse("elearn:learning-grant-slot-page")
    assert_role_matrix(
        client,
        "get",
        url,
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "contact": 200,
            "other_contact": 200,
            "hr": 200,
            "reviewer": 403,
            "publisher": 403,
            "blocked": 403,
        },
    )
    client.force_login(role_users.other_contact)
    refused = client.post(
        url,
        {
            "user_id": role_users.learner.pk,
            "starts_at": "2026-01-06 09:00",
            "ends_at": "2026-01-06 10:00",
            "reason": "<script>alert(1)</script>",
        },
    )
    assert refused.status_code == 403
    assert b"<script>alert(1)</script>" not in refused.content
    client.force_login(role_users.contact)
    granted = client.post(
        url,
        {
            "user_id": role_users.learner.pk,
            "starts_at": "2026-01-06 09:00",
            "ends_at": "2026-01-06 10:00",
            "reason": "Safety",
        },
    )
    assert granted.status_code == 200
    assert PermittedSlot.objects.filter(user=role_users.learner).count() == 1


# P-31: the session endpoint refuses a learner the host does not let into the course
def test_session_endpoint_refuses_a_learner_without_course_access(logged_in, learner, spec):
    from elearn_plugin.video.models import WatchSession

    services.register_video(spec)
    url = reverse("elearn:video-session")
    with freeze_time(SUNDAY_EVENING):
        refused = _post(logged_in, url, {"block_key": BLOCK})
    assert refused.status_code == 403
    assert refused.json()["code"] == "no_course_access"
    assert "enrol" in refused.json()["message"].lower()
    assert not WatchSession.objects.exists()
    enrol(learner, COURSE)
    with freeze_time(SUNDAY_EVENING):
        assert _post(logged_in, url, {"block_key": BLOCK}).status_code == 201


HUGE = "9" * 400
# Deeper than the JSON parser's recursion limit, and still under the 4 KB body limit.
DEEP = "[" * 1500 + "]" * 1500


@pytest.mark.parametrize(
    "raw",
    [
        '{"token": "%s", "seq": 1, "start": 0, "end": ' + HUGE + "}",
        '{"token": "%s", "seq": 1, "start": ' + HUGE + ', "end": 5}',
        '{"token": "%s", "seq": ' + HUGE + ', "start": 0, "end": 5}',
        '{"token": "%s", "seq": 1, "start": 0, "end": 5, "x": ' + DEEP + "}",
    ],
)
# P-17: a 400-digit number or JSON nested deeper than the parser answers 400, never 500
def test_huge_numbers_and_deep_json_answer_400(logged_in, learner, grant, raw):
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(logged_in, REPORT, raw % grant.token)
    assert response.status_code == 400, response.content
    assert response.json()["message"]
    assert _intervals(learner) == []


@pytest.mark.parametrize("raw", ['{"block_key": ' + HUGE + "}", '{"block_key": ' + DEEP + "}"])
# P-17: the session API answers 400 to the same bodies
def test_session_api_answers_400_to_huge_numbers_and_deep_json(logged_in, raw):
    response = _post(logged_in, reverse("elearn:video-session"), raw)
    assert response.status_code == 400, response.content
    assert response.json()["message"]


# P-8, P-17: a report reads the learner's block once (refusal and learning gate together)
def test_report_reads_the_block_once(logged_in, learner, grant, monkeypatch):
    from elearn_plugin import gate
    from elearn_plugin.standing import services as standing

    reads = []
    real = standing.active_block

    def counted(user_id, now=None):
        reads.append(user_id)
        return real(user_id, now)

    from elearn_plugin.standing import middleware

    monkeypatch.setattr(standing, "active_block", counted)
    monkeypatch.setattr(gate, "active_block", counted)
    monkeypatch.setattr(middleware, "active_block", counted)
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = _post(logged_in, REPORT, {"token": grant.token, "seq": 1, "start": 0, "end": 10})
    assert response.status_code == 200
    # Once per request: the middleware reads it, the report uses that answer.
    assert reads == [learner.pk]
