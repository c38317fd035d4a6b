"""The report endpoint as a plain view: the framework's checks, answers and order (P-17, P-31).

The report is answered without the REST framework's view machinery; these tests hold it to
what the framework answered: CSRF for sessions, the configured token classes, 401/403/405/413.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from elearn_plugin.video import services, views
from elearn_plugin.video.models import WatchProgress
from tests.unit.video.conftest import BLOCK, OFFICE, SUNDAY_EVENING, later

REPORT = reverse("elearn:video-report")
CSRF_SECRET = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"  # 32 characters of the allowed alphabet
BEARER = "tests.unit.video.test_report_view.StrictBearerAuthentication"
SESSION = "rest_framework.authentication.SessionAuthentication"
CREATED = []


class StrictBearerAuthentication(BaseAuthentication):
    """`Bearer user-<id>`; any other bearer value is refused as the LMS's JWT class does."""

    def __init__(self):
        CREATED.append(self)

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        if not header.startswith("Bearer user-"):
            raise AuthenticationFailed("Invalid token.")
        user = get_user_model().objects.filter(pk=int(header.rsplit("-", 1)[1])).first()
        if user is None:
            raise AuthenticationFailed("Invalid token.")
        return (user, None)

    def authenticate_header(self, request):
        return "Bearer"


class CookieSessionAuthentication(SessionAuthentication):
    """A subclass, as hosts ship them: it runs through the framework, CSRF included."""


@pytest.fixture
def grant(learner, spec):
    return services.start_session(learner, spec, OFFICE, now=SUNDAY_EVENING)


@pytest.fixture
def body(grant):
    return {"token": grant.token, "seq": 1, "start": 0, "end": 10}


def _post(client, payload, **extra):
    raw = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    with freeze_time(later(SUNDAY_EVENING, 11)):
        return client.post(REPORT, raw, content_type="application/json", **extra)


def _last_seq(learner) -> int:
    return WatchProgress.objects.get(user_id=learner.pk, block_key=BLOCK).last_seq


def _csrf_client(learner) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


# P-31: a session POST without the CSRF token is refused with the framework's message
def test_session_post_without_csrf_token_is_refused(learner, body):
    response = _csrf_client(learner).post(REPORT, json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert _last_seq(learner) == 0


# P-31: a session POST with a wrong CSRF token is refused too
def test_session_post_with_wrong_csrf_token_is_refused(learner, body):
    response = _post(_csrf_client(learner), body, HTTP_X_CSRFTOKEN="b" * 32)
    assert response.status_code == 403
    assert _last_seq(learner) == 0


# P-17, P-31: the browser's session with its CSRF token is accepted
def test_session_post_with_csrf_token_is_accepted(learner, body):
    response = _post(_csrf_client(learner), body, HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["intervals"] == [[0.0, 10.0]]
    assert _last_seq(learner) == 1


# P-19, P-31: a token client needs no CSRF cookie; a session alongside is not needed either
def test_token_client_is_accepted_without_csrf(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER, SESSION]
    client = Client(enforce_csrf_checks=True)
    response = _post(client, body, HTTP_AUTHORIZATION=f"Bearer user-{learner.pk}")
    assert response.status_code == 200, response.content
    assert _last_seq(learner) == 1


# P-31: a refused token answers 401 with the class's challenge when it comes first
def test_bad_token_answers_401_with_challenge(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER, SESSION]
    response = _post(Client(), body, HTTP_AUTHORIZATION="Bearer forged")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid token."}
    assert _last_seq(learner) == 0


# P-31: without a challenge (session class first) the same refusal is a 403
def test_bad_token_answers_403_when_session_comes_first(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [SESSION, BEARER]
    response = _post(Client(), body, HTTP_AUTHORIZATION="Bearer forged")
    assert response.status_code == 403
    assert not response.has_header("WWW-Authenticate")
    assert _last_seq(learner) == 0


# P-31: anonymous, no header: 401 with the challenge of the first class, else 403
@pytest.mark.parametrize(("classes", "status"), [([BEARER, SESSION], 401), ([SESSION], 403)])
def test_anonymous_report(learner, body, settings, classes, status):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = classes
    response = _post(Client(), body)
    assert response.status_code == status
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert _last_seq(learner) == 0


# P-31: an unknown Authorization scheme falls through to the session, which still needs CSRF
def test_unknown_authorization_falls_back_to_session_with_csrf(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER, SESSION]
    client = _csrf_client(learner)
    refused = _post(client, body, HTTP_AUTHORIZATION="Basic eDp5")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF Failed")
    assert _last_seq(learner) == 0
    accepted = _post(client, body, HTTP_AUTHORIZATION="Basic eDp5", HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert accepted.status_code == 200, accepted.content


# P-31: with no session class configured, a signed-in browser is not authenticated
def test_session_is_not_accepted_when_not_configured(learner, body, settings, client):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER]
    client.force_login(learner)
    response = _post(client, body)
    assert response.status_code == 401
    assert _last_seq(learner) == 0


# P-31: a subclass of the session class runs through the framework, CSRF included
def test_session_subclass_is_used_with_csrf(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [
        "tests.unit.video.test_report_view.CookieSessionAuthentication"
    ]
    client = _csrf_client(learner)
    assert _post(client, body).status_code == 403
    assert _last_seq(learner) == 0
    assert _post(client, body, HTTP_X_CSRFTOKEN=CSRF_SECRET).status_code == 200


# P-8, P-31: a blocked account reporting with a token gets the permission module's refusal
def test_blocked_token_client_is_refused(learner, body, settings):
    from elearn_plugin.standing import services as standing

    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER]
    with freeze_time(later(SUNDAY_EVENING, 5)):
        standing.impose(
            learner.pk, "suspension", "sharing", "test:view", ends_at=later(SUNDAY_EVENING, 86400)
        )
    response = _post(Client(), body, HTTP_AUTHORIZATION=f"Bearer user-{learner.pk}")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your account cannot be used at the moment."}
    assert _last_seq(learner) == 0


# P-31: an inactive account authenticated by a token is refused by `check`
def test_inactive_token_user_is_refused(learner, body, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER]
    get_user_model().objects.filter(pk=learner.pk).update(is_active=False)
    response = _post(Client(), body, HTTP_AUTHORIZATION=f"Bearer user-{learner.pk}")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}
    assert _last_seq(learner) == 0


# P-31: any method but POST is 405 for a signed-in learner, after authentication
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_wrong_method_answers_405(logged_in_client, learner, method):
    response = getattr(logged_in_client, method)(REPORT)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


# P-31: an anonymous GET is refused as unauthenticated first, as the framework did
def test_anonymous_get_is_refused_before_the_method(client):
    assert client.get(REPORT).status_code == 403


# P-17: the declared size is checked before anything else, signed in or not
@pytest.mark.parametrize("signed_in", [True, False])
def test_large_body_is_refused_first(client, learner, body, signed_in):
    if signed_in:
        client.force_login(learner)
    response = _post(client, {**body, "pad": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert _last_seq(learner) == 0


# P-17: form and multipart bodies (parsed by the CSRF check) are refused as not JSON, not a 500
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ"]
)
def test_form_bodies_are_refused(logged_in_client, learner, body, content_type):
    raw = (
        "token=x&seq=1"
        if content_type.startswith("application")
        else '--XyZ\r\nContent-Disposition: form-data; name="seq"\r\n\r\n1\r\n--XyZ--\r\n'
    )
    with freeze_time(later(SUNDAY_EVENING, 11)):
        response = logged_in_client.post(REPORT, raw, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_body"
    assert _last_seq(learner) == 0


# P-17: a body that is not UTF-8 is a clear 400
def test_non_utf8_body_is_refused(logged_in_client, learner, grant):
    response = _post(logged_in_client, b"\xff\xfe{}")
    assert response.status_code == 400 and response.json()["message"]
    assert _last_seq(learner) == 0


# P-17: the authenticators are made once per configuration, not once per report
def test_authenticators_are_made_once_per_configuration(learner, grant, settings):
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER]
    views._report_authentication.cache_clear()
    CREATED.clear()
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer user-{learner.pk}"}
    for seq in (1, 2, 3):
        body = {"token": grant.token, "seq": seq, "start": (seq - 1) * 3, "end": seq * 3}
        with freeze_time(later(SUNDAY_EVENING, 10 * seq)):
            response = client.post(
                REPORT, json.dumps(body), content_type="application/json", **auth
            )
        assert response.status_code == 200, response.content
    assert len(CREATED) == 1
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [BEARER, SESSION]
    assert views._report_authentication(views._configured_paths())[0][0] is not CREATED[0]


# P-32: the answer's encoder writes translated text and refuses anything else
def test_json_answers_encode_lazy_text_only():
    from django.utils.translation import gettext_lazy

    response = views._json_response({"message": gettext_lazy("Sign in to watch this video.")}, 403)
    assert json.loads(response.content) == {"message": "Sign in to watch this video."}
    with pytest.raises(TypeError):
        views._json_response({"value": object()}, 200)
    with pytest.raises(ValueError):
        views._json_response({"value": float("nan")}, 200)


# P-31: the URL configuration's `ReportView.as_view()` is the plain view, CSRF-exempt
def test_url_serves_the_plain_view():
    from django.urls import resolve

    callback = resolve(REPORT).func
    assert callback is views.report
    assert getattr(callback, "csrf_exempt", False) is True


@pytest.fixture
def logged_in_client(client, learner):
    client.force_login(learner)
    return client
