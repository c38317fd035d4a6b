"""Browser sign-in as the platform runs it: the authn MFE's POST to `login_user` (P-8, P-2, P-3).

Mirrors openedx-platform `openedx/core/djangoapps/user_authn/views/login.py` (`login_user`:
find the account, lockout check, `StudentLoginRequested`, rate-limit check, `authenticate()`,
failure counting, JSON answer; stand-in in `tests/host/platform/`), with the plugin loaded as
the LMS loads it (its filter step, its backend first in `AUTHENTICATION_BACKENDS`, its
middleware). The answers are read the way frontend-app-authn reads them (Ulmo's
`src/login/data/sagas.js` camel-cases a 400's JSON; `src/login/LoginFailure.jsx` picks the
text by `errorCode`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from crum import set_current_request
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from openedx.core.djangoapps.user_authn.views.login import LoginFailures, login_user
from openedx_filters.learning.filters import StudentLoginRequested

from elearn_plugin.gate import format_end
from elearn_plugin.org import services as org_services
from elearn_plugin.org.models import Person
from elearn_plugin.settings.common import SIGN_IN_BACKEND
from elearn_plugin.standing import services
from elearn_plugin.standing.models import Sanction
from tests.host.path import PLATFORM_ROOT

LOGIN = "/api/user/v2/account/login_session/"
PASSWORD = "Right-pass-42"
REASON = "Account lent to a colleague <b>x</b>"

# frontend-app-authn LoginFailure.jsx (Palm .. Verawood, checked on release/ulmo): the codes
# whose alert is the MFE's own text, whatever the server says ...
MFE_OWN_TEXT_CODES = {
    "NonCompliantPasswordException",
    "forbidden-request",
    "inactive-user",
    "allowed-domain-login-error",
    "invalid-form",
    "failed-login-attempt",
    "account-locked-out",
    "incorrect-email-or-password",
    "nudge-password-change",
    "require-password-change",
    "internal-server-error",
    # any other code falls to `default`: the "An error has occurred" text
}
# ... and the one whose alert shows text from the server (`context.errorMessage`).
MFE_SERVER_TEXT_CODES = {"tpa-authentication-failure": "errorMessage"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()  # standing and password-flag caches, the stand-in's LoginFailures
    yield
    cache.clear()


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_case(value):
    """frontend-platform's camelCaseObject: keys of every nested object, recursively."""
    if isinstance(value, dict):
        return {_camel(k): camel_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_case(v) for v in value]
    return value


def mfe_alert(response) -> tuple[str, str | None]:
    """(errorCode, server text shown in the alert or None) as LoginFailure renders them."""
    assert response.status_code == 400  # sagas.js: only a 400 carries the server's error
    error = camel_case(response.json())
    code = error.get("errorCode")
    field = MFE_SERVER_TEXT_CODES.get(code)
    return code, (error.get("context") or {}).get(field) if field else None


def sign_in(client, name, password, **extra):
    return client.post(LOGIN, {"email_or_username": name, "password": password}, **extra)


def block(user, kind="suspension", reason=REASON, days=7):
    now = datetime.now(UTC)
    codes = {"suspension": "sharing", "revocation": "illegal_upload", "freeze": "departure"}
    return services.impose(
        user.pk,
        kind,
        codes[kind],
        f"{kind}:{user.pk}",
        reason=reason,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=days) if kind == "suspension" else None,
    )[0]


@pytest.fixture
def learner(make_user):
    return make_user("ada", email="ada@example.com", password=PASSWORD)


# --- P-8: wrong password -> the platform's usual answer, nothing about the standing -----------


def test_blocked_wrong_password_is_the_platforms_usual_failure(client, learner, make_user):  # P-8
    make_user("bob", email="bob@example.com", password=PASSWORD)
    block(learner)
    blocked = sign_in(client, "ada", "wrong")
    usual = sign_in(client, "bob", "wrong")
    assert blocked.status_code == usual.status_code == 400
    first, second = blocked.json(), usual.json()
    # login_user's `email` is what was typed once authenticate() has found nobody.
    assert first.pop("email") == "ada" and second.pop("email") == "bob"
    assert (
        first
        == second
        == {
            "success": False,
            "value": "Email or password is incorrect.",
            "error_code": "incorrect-email-or-password",
            "context": {"failure_count": 1},
        }
    )
    assert mfe_alert(blocked) == ("incorrect-email-or-password", None)
    assert "lent" not in blocked.content.decode() and "suspend" not in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_blocked_wrong_passwords_are_counted_and_lock_out(client, learner):  # P-8
    block(learner)
    codes = [sign_in(client, "ada", f"wrong-{n}").json()["error_code"] for n in range(6)]
    assert codes[:2] == ["incorrect-email-or-password"] * 2
    assert codes[2:5] == ["failed-login-attempt"] * 3  # the platform's remaining-attempts text
    assert codes[5] == "account-locked-out"
    assert LoginFailures.count(learner) == 6
    # Locked out, the right password meets the lockout first: no reason is shown either.
    assert mfe_alert(sign_in(client, "ada", PASSWORD)) == ("account-locked-out", None)


def test_unknown_account_is_the_usual_failure(client, db):  # P-8
    response = sign_in(client, "nobody", "whatever")
    assert response.json()["error_code"] == "incorrect-email-or-password"


# --- P-8: right password -> reason and end date in the MFE's alert ----------------------------


def test_suspended_right_password_shows_reason_and_end_in_the_mfe_alert(client, learner):  # P-8
    sanction = block(learner)
    response = sign_in(client, "ada", PASSWORD)
    code, shown = mfe_alert(response)
    assert code == "tpa-authentication-failure"
    assert code in MFE_SERVER_TEXT_CODES and code not in MFE_OWN_TEXT_CODES
    assert shown.startswith("Your account is suspended until ")
    assert format_end(sanction.ends_at) in shown
    assert REASON in shown  # the MFE renders it as text (React escapes it)
    data = response.json()
    assert data["value"] == shown  # the legacy login page shows `value`
    assert data["context"]["elearn_code"] == "suspended"
    assert data["context"]["ends_at"] == sanction.ends_at.isoformat()
    assert data["email"] == "ada"  # what was typed, as for any failed authenticate()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind", ["revocation", "freeze"])
def test_until_lifted_blocks_say_until_hr_reinstates_and_how_to_apply(client, learner, kind):
    # P-8: revoked and frozen accounts reopen only when HR approves an application.
    block(learner, kind=kind, reason="")
    _code, shown = mfe_alert(sign_in(client, "ada", PASSWORD))
    word = {"revocation": "revoked", "freeze": "frozen"}[kind]
    assert word in shown
    assert "It stays closed until the HR centre reinstates you." in shown
    # The address of the application page, absolute, since the MFE is on another host.
    assert "apply to the HR centre at http://testserver/elearn/reinstatement/" in shown
    label = {"revocation": "illegal content uploaded", "freeze": "departure"}[kind]
    assert label in shown  # the reason code's label when no text was recorded


def test_operator_text_says_how_to_apply(client, learner, settings):  # P-8
    settings.ELEARN_REINSTATEMENT_HELP = {
        "en": "Apply in the HR portal, form 7.",
        "zh-cn": "请在人力资源门户填写第7号表。",
    }
    block(learner, kind="revocation")
    _code, shown = mfe_alert(sign_in(client, "ada", PASSWORD))
    assert shown.endswith("Apply in the HR portal, form 7.")
    _code, shown = mfe_alert(sign_in(client, "ada", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert shown.endswith("请在人力资源门户填写第7号表。")


def test_reason_is_in_chinese_for_a_chinese_browser(client, learner):  # P-8, P-19
    sanction = block(learner, reason="")
    response = sign_in(client, "ada", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    _code, shown = mfe_alert(response)
    assert shown.startswith("您的账号已暂停至 ")
    assert format_end(sanction.ends_at) in shown
    assert "原因：账号共享。" in shown  # the reason code's label, translated too
    assert "届时起可重新登录" in shown


def test_the_refusal_holds_without_the_filter_step(client, learner):  # P-8
    # An operator's YAML may drop the step: the backend alone still refuses, with the reason.
    block(learner)
    with override_settings(OPEN_EDX_FILTERS_CONFIG={}):
        code, shown = mfe_alert(sign_in(client, "ada", PASSWORD))
    assert code == "tpa-authentication-failure" and "suspended until" in shown
    assert "_auth_user_id" not in client.session


def test_good_standing_and_lifted_blocks_sign_in(client, learner, make_user):  # P-8, P-3
    hr = make_user("hr", is_staff=True)
    sanction = block(learner)
    assert sign_in(client, "ada", PASSWORD).status_code == 400
    services.lift(sanction.pk, actor=hr, reason="Mistaken report")
    response = sign_in(client, "ada", PASSWORD)
    assert response.status_code == 200
    assert response.json() == {"success": True, "redirect_url": "http://testserver/dashboard"}
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_sign_in_by_email_is_refused_the_same_way(client, learner):  # P-8
    block(learner)
    code, shown = mfe_alert(sign_in(client, "ada@example.com", PASSWORD))
    assert code == "tpa-authentication-failure" and "suspended until" in shown


def test_rate_limited_request_never_reaches_the_password_check(learner):  # P-8
    # login_user refuses a rate-limited request before authenticate(): no reason can leak.
    block(learner)
    request = RequestFactory().post(LOGIN, {"email_or_username": "ada", "password": PASSWORD})
    request.limited = True
    set_current_request(request)
    try:
        response = login_user(request, "v2")
    finally:
        set_current_request(None)
    data = json.loads(response.content)
    assert response.status_code == 400
    assert data["value"] == "Too many failed login attempts. Try again later."
    assert "suspended" not in response.content.decode()


def test_third_party_sign_in_of_a_blocked_learner_shows_the_reason(learner):  # P-8
    # No email or password posted: login_user took the user from the SSO pipeline, whose
    # identity provider proved who it is. The step refuses there, with the reason.
    block(learner, kind="freeze", reason="Left the company")
    set_current_request(RequestFactory().post(LOGIN, {}))
    try:
        with pytest.raises(StudentLoginRequested.PreventLogin) as refused:
            StudentLoginRequested.run_filter(user=learner)
    finally:
        set_current_request(None)
    assert refused.value.error_code == "tpa-authentication-failure"
    assert "Left the company" in refused.value.context["error_message"]


# --- P-8: sessions opened before the block ---------------------------------------------------


def test_open_session_ends_and_the_login_cookies_go(client, learner):  # P-8
    assert sign_in(client, "ada", PASSWORD).status_code == 200
    client.cookies["edx-jwt-cookie-header-payload"] = "header.payload"
    client.cookies["edxloggedin"] = "true"
    block(learner)
    response = client.get("/elearn/standing/me/")
    assert response.status_code == 403 and b"Your account is suspended" in response.content
    for name in ("edx-jwt-cookie-header-payload", "edx-jwt-cookie-signature", "edxloggedin"):
        assert response.cookies[name]["max-age"] == 0, name
    assert "_auth_user_id" not in client.session


def test_ending_the_session_announces_the_user_change_to_safe_sessions(
    client, learner, monkeypatch
):  # P-8
    """The LMS's safe-sessions middleware (openedx/core/djangoapps/safe_sessions/middleware.py)
    would take the sign-out for a session mix-up unless it is announced as expected."""
    from openedx.core.djangoapps.safe_sessions import middleware as safe  # noqa: PLC0415

    announced = []
    real = safe.mark_user_change_as_expected
    monkeypatch.setattr(
        safe, "mark_user_change_as_expected", lambda uid: (announced.append(uid), real(uid))
    )
    assert sign_in(client, "ada", PASSWORD).status_code == 200
    block(learner)
    assert client.get("/elearn/standing/me/").status_code == 403
    assert announced == [None]  # signed out, announced before the logout


# --- P-2: the first sign-in through the MFE leads to the password change ----------------------


@pytest.fixture
def newcomer(learner):
    from elearn_plugin.org.services import create_unit  # noqa: PLC0415

    unit, _ = create_unit("hq", "Headquarters")
    Person.objects.create(
        user=learner, employee_id="E1", name="Ada", unit=unit, must_change_password=True
    )
    org_services.forget_password_flags([learner.pk])
    return learner


def test_first_sign_in_through_the_mfe_goes_to_the_password_change(client, newcomer):  # P-2
    response = sign_in(client, "ada", PASSWORD)
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True
    target = urlsplit(data["redirect_url"])
    # Absolute: the MFE, on its own host, does window.location.href = redirect_url.
    assert (target.scheme, target.netloc, target.path) == (
        "http",
        "testserver",
        "/elearn/password/",
    )
    assert parse_qs(target.query) == {"next": ["http://testserver/dashboard"]}
    page = client.get(data["redirect_url"])
    assert page.status_code == 200 and b'name="old_password"' in page.content
    new = "Quite-different-77"
    changed = client.post(
        data["redirect_url"],
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302 and changed["Location"] == "http://testserver/dashboard"
    client.logout()
    again = sign_in(client, "ada", new)
    assert again.json()["redirect_url"] == "http://testserver/dashboard"


def test_first_sign_in_keeps_an_mfe_destination(client, newcomer, settings):  # P-2
    settings.LOGIN_REDIRECT_WHITELIST = ["apps.example.com"]
    course = "https://apps.example.com/learning/course/x"
    data = client.post(
        f"{LOGIN}?next={course}", {"email_or_username": "ada", "password": PASSWORD}
    ).json()
    assert parse_qs(urlsplit(data["redirect_url"]).query) == {"next": [course]}
    new = "Quite-different-77"
    changed = client.post(
        data["redirect_url"],
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed["Location"] == course


def test_wrong_password_of_a_newcomer_is_not_rewritten(client, newcomer):  # P-2
    response = sign_in(client, "ada", "wrong")
    assert response.json()["error_code"] == "incorrect-email-or-password"
    assert "redirect_url" not in response.json()


# --- P-3: getting back in ---------------------------------------------------------------------


class _RecordingResetForm(PasswordResetForm):
    """The host's reset form; the link it would mail is kept instead of rendered."""

    sent: list[dict] = []

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        type(self).sent.append(context)


def _reset(user, new_password: str) -> None:
    """The host's reset: the email form issues the link, the set-password form sets it."""
    _RecordingResetForm.sent = []
    form = _RecordingResetForm({"email": user.email})
    assert form.is_valid()
    form.save(domain_override="testserver")
    (context,) = _RecordingResetForm.sent
    assert context["user"] == user
    assert default_token_generator.check_token(user, context["token"])
    changed = SetPasswordForm(user, {"new_password1": new_password, "new_password2": new_password})
    assert changed.is_valid(), changed.errors
    changed.save()


def test_learner_in_good_standing_resets_and_signs_in(client, learner):  # P-3
    services.impose(learner.pk, "warning", "missed_tasks", "quota:2026-02")  # warnings never block
    _reset(learner, "Brand-new-pass-9")
    response = sign_in(client, "ada", "Brand-new-pass-9")
    assert response.status_code == 200 and response.json()["success"] is True


@pytest.mark.parametrize("kind", ["freeze", "revocation", "suspension"])
def test_a_reset_never_reopens_a_blocked_account(client, learner, kind):  # P-3, P-8
    sanction = block(learner, kind=kind)
    _reset(learner, "Brand-new-pass-9")
    learner.refresh_from_db()
    assert learner.is_active  # the block is a row, not is_active: nothing for a reset to flip
    code, shown = mfe_alert(sign_in(client, "ada", "Brand-new-pass-9"))
    assert code == "tpa-authentication-failure" and REASON in shown
    sanction.refresh_from_db()
    assert sanction.lifted_at is None and services.active_block(learner.pk) is not None
    assert Sanction.objects.filter(user=learner, lifted_at__isnull=True).count() == 1
    assert "_auth_user_id" not in client.session


# --- the settings, as production loads them ---------------------------------------------------

_PROBE = r"""
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"backends": list(settings.AUTHENTICATION_BACKENDS),
                  "middleware": list(settings.MIDDLEWARE)}))
"""


def test_production_yaml_replacing_the_backends_keeps_the_gate_first(tmp_path):  # P-8
    root = Path(__file__).resolve().parents[2]
    config = tmp_path / "lms.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "SECRET_KEY": "harness",
                "DATABASES": {
                    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "d")}
                },
                "AUTHENTICATION_BACKENDS": [
                    "some.sso.Backend",
                    "django.contrib.auth.backends.ModelBackend",
                ],
            }
        ),
        encoding="utf-8",
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LMS_CFG", "ELEARN_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(root), PLATFORM_ROOT]),
        DJANGO_SETTINGS_MODULE="lms.envs.production",
        LMS_CFG=str(config),
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["backends"] == [
        SIGN_IN_BACKEND,
        "some.sso.Backend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert "elearn_plugin.standing.middleware.SignInRefusalMiddleware" in facts["middleware"]


def test_the_gate_is_first_in_the_harness_settings(settings):  # P-8
    assert settings.AUTHENTICATION_BACKENDS[0] == SIGN_IN_BACKEND
    assert settings.AUTHENTICATION_BACKENDS.count(SIGN_IN_BACKEND) == 1
    assert re.search("EdxRateLimitedAllowAllUsersModelBackend", settings.AUTHENTICATION_BACKENDS[1])
