"""Blocked accounts cannot sign in or keep a session (P-8).

The sign-in as the platform runs it (authn MFE, OAuth2 token endpoint) is tested in
tests/host/test_sign_in.py and tests/host/test_oauth_tokens.py; here: the pieces, and the
standalone site's login view.
"""

from datetime import UTC, datetime, timedelta

import pytest
from crum import set_current_request
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from openedx_filters.learning.filters import StudentLoginRequested

from elearn_plugin.settings.common import (
    LOGIN_FILTER,
    LOGIN_FILTER_STEP,
    SIGN_IN_BACKEND,
    plugin_settings,
)
from elearn_plugin.standing import services


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def block(user, kind="suspension", reason="Account lent to a colleague <b>x</b>", days=7):
    now = datetime.now(UTC)
    return services.impose(
        user.pk,
        kind,
        "sharing" if kind == "suspension" else "illegal_upload",
        f"{kind}:{user.pk}",
        reason=reason,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=days) if kind == "suspension" else None,
    )[0]


# --- the openedx-filters step, through the real pipeline ------------------------------------


def test_filter_is_registered_by_plugin_settings():  # P-8
    assert LOGIN_FILTER_STEP in settings.OPEN_EDX_FILTERS_CONFIG[LOGIN_FILTER]["pipeline"]


def test_filter_registration_is_additive():  # P-8
    class Host:
        OPEN_EDX_FILTERS_CONFIG = {
            LOGIN_FILTER: {"pipeline": ["other.Step"], "fail_silently": True},
            "org.openedx.learning.course.enrollment.started.v1": {"pipeline": ["x.Y"]},
        }
        MIDDLEWARE = ["a.B"]

    plugin_settings(Host)
    plugin_settings(Host)  # twice: nothing doubles
    entry = Host.OPEN_EDX_FILTERS_CONFIG[LOGIN_FILTER]
    assert entry == {"pipeline": ["other.Step", LOGIN_FILTER_STEP], "fail_silently": True}
    assert Host.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.course.enrollment.started.v1"]
    assert Host.MIDDLEWARE[0] == "a.B"
    assert Host.MIDDLEWARE.count("elearn_plugin.standing.middleware.BlockedSessionMiddleware") == 1


def test_filter_outside_a_request_refuses_with_generic_message(make_user):  # P-8
    user = make_user()
    block(user)
    with pytest.raises(StudentLoginRequested.PreventLogin) as caught:
        StudentLoginRequested.run_filter(user=user)
    message = str(caught.value)
    assert message == "Email or password is incorrect."
    assert caught.value.error_code == "incorrect-email-or-password"
    assert "lent" not in message and "suspend" not in message.lower()


def test_filter_leaves_a_password_sign_in_to_authenticate(make_user, rf):  # P-8
    # The step runs before the platform's rate limit: it must not judge the password.
    user = make_user()
    block(user)
    set_current_request(rf.post("/login_ajax", {"email": user.email, "password": "x"}))
    try:
        assert StudentLoginRequested.run_filter(user=user) == user
    finally:
        set_current_request(None)


def test_backend_registration_is_first_and_additive():  # P-8
    class Host:
        AUTHENTICATION_BACKENDS = ("rules.Backend", "django.contrib.auth.backends.ModelBackend")
        MIDDLEWARE = []

    plugin_settings(Host)
    plugin_settings(Host)
    assert Host.AUTHENTICATION_BACKENDS == (
        SIGN_IN_BACKEND,
        "rules.Backend",
        "django.contrib.auth.backends.ModelBackend",
    )

    class Bare:
        MIDDLEWARE = []

    plugin_settings(Bare)  # no list yet: Django's default stays behind the gate
    assert Bare.AUTHENTICATION_BACKENDS == [
        SIGN_IN_BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_backend_lets_good_standing_through_and_refuses_blocked(make_user, rf):  # P-8
    from django.contrib.auth import authenticate  # noqa: PLC0415

    from elearn_plugin.standing.signin import recorded_refusal  # noqa: PLC0415

    user = make_user(password="right-pass")
    request = rf.post("/x")
    assert authenticate(request, username=user.username, password="right-pass") == user
    block(user)
    assert authenticate(request, username=user.username, password="wrong") is None
    assert recorded_refusal(request) is None  # a wrong password learns nothing
    assert authenticate(request, username=user.username, password="right-pass") is None
    assert recorded_refusal(request).code == "suspended"


def test_sessions_recorded_under_the_gate_still_resolve(client, make_user):  # P-8
    # force_login (like host code using AUTHENTICATION_BACKENDS[0]) records the gate's name.
    user = make_user()
    client.force_login(user)
    assert client.session["_auth_user_backend"] == SIGN_IN_BACKEND
    assert client.get("/elearn/standing/me/").status_code == 200


def test_filter_passes_good_standing_and_unknown_user(make_user):  # P-8, P-3
    user = make_user()
    services.impose(user.pk, "warning", "missed_tasks", "quota:2026-02")
    assert StudentLoginRequested.run_filter(user=user) == user
    assert StudentLoginRequested.run_filter(user=None) is None


def test_filter_passes_after_lift(make_user):  # P-8
    user, hr = make_user(), make_user(is_staff=True)
    sanction = block(user)
    services.lift(sanction.pk, actor=hr, reason="Mistaken report")
    assert StudentLoginRequested.run_filter(user=user) == user


# --- the standalone site's login view, in the LMS's order -----------------------------------


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_wrong_password_is_generic(client, make_user):  # P-8
    user = make_user(password="right-pass")
    response = post_login(client, user.username, "wrong")
    assert response.status_code == 400
    assert b"Your username or password is incorrect." in response.content
    assert "_auth_user_id" not in client.session


def test_login_unknown_user_is_generic(client, db):  # P-8
    response = post_login(client, "nobody-here", "whatever")
    assert response.status_code == 400
    assert b"Your username or password is incorrect." in response.content


def test_login_blocked_wrong_password_reveals_nothing(client, make_user):  # P-8
    user = make_user(password="right-pass")
    block(user)
    response = post_login(client, user.username, "wrong")
    assert response.status_code == 400
    assert b"Your username or password is incorrect." in response.content
    assert b"lent" not in response.content and b"suspended" not in response.content
    assert "_auth_user_id" not in client.session


def test_login_blocked_right_password_shows_reason_and_end(client, make_user):  # P-8
    user = make_user(password="right-pass")
    sanction = block(user)
    response = post_login(client, user.username, "right-pass")
    assert response.status_code == 403
    body = response.content.decode()
    assert "suspended until" in body
    assert "Account lent to a colleague &lt;b&gt;x&lt;/b&gt;" in body  # escaped
    assert "<b>x</b>" not in body
    assert str(sanction.ends_at.astimezone(UTC).year) in body
    assert "_auth_user_id" not in client.session


def test_login_revoked_right_password_explains_reopening(client, make_user):  # P-8
    user = make_user(password="right-pass")
    block(user, kind="revocation", reason="")
    response = post_login(client, user.username, "right-pass")
    assert response.status_code == 403
    assert b"revoked" in response.content and b"illegal content uploaded" in response.content


def test_login_without_filter_still_shows_detail_not_session(client, make_user):  # P-8
    # The backend alone refuses, and records the reason for the right password's owner.
    user = make_user(password="right-pass")
    block(user)
    with override_settings(OPEN_EDX_FILTERS_CONFIG={}):
        response = post_login(client, user.username, "right-pass")
        assert response.status_code == 403
        assert b"suspended until" in response.content
        assert post_login(client, user.username, "bad").status_code == 400
    assert "_auth_user_id" not in client.session


def test_login_good_standing_signs_in(client, make_user):  # P-8, P-3
    user = make_user(password="right-pass")
    response = client.post(
        "/login/?next=https://evil.example/", {"username": user.username, "password": "right-pass"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_refused_by_another_step_is_generic(client, make_user):  # P-8
    user = make_user(password="right-pass")
    config = {
        LOGIN_FILTER: {"pipeline": ["tests.unit.standing.steps.RefuseAll"], "fail_silently": False}
    }
    with override_settings(OPEN_EDX_FILTERS_CONFIG=config):
        response = post_login(client, user.username, "right-pass")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


# --- open sessions ---------------------------------------------------------------------------


def test_middleware_ends_open_session(client, make_user):  # P-8
    user = make_user()
    client.force_login(user)
    assert client.get("/elearn/standing/me/").status_code == 200
    block(user)
    response = client.get("/elearn/standing/me/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your account is suspended" in body and "&lt;b&gt;" in body
    assert "_auth_user_id" not in client.session
    # The session is gone: the next request is anonymous and goes to the sign-in page.
    assert client.get("/elearn/standing/me/").status_code == 302


def test_middleware_shows_frozen_and_skips_static(client, make_user):  # P-8
    user = make_user()
    client.force_login(user)
    block(user, kind="freeze", reason="Left the company")
    assert client.get("/static/app.css").status_code == 404  # served by nobody, not refused
    assert "_auth_user_id" in client.session
    response = client.get("/")
    assert response.status_code == 403 and b"Your account is frozen" in response.content
    assert "_auth_user_id" not in client.session


def test_middleware_lets_good_standing_through(client, make_user):  # P-8
    user = make_user()
    services.impose(user.pk, "warning", "missed_tasks", "quota:2026-02")
    client.force_login(user)
    assert client.get("/elearn/standing/me/").status_code == 200
