"""The apps' way in: the LMS's OAuth2 token endpoint and its tokens (P-8, P-2).

Mirrors openedx-platform `openedx/core/djangoapps/oauth_dispatch/views.py` (`AccessTokenView`
dispatching to django-oauth-toolkit's `TokenView`, mounted at `/oauth2/access_token`) and
`dot_overrides/validators.py` (`EdxOAuth2Validator.validate_user` calling `authenticate()`
without the request), with the real django-oauth-toolkit the platform runs (1.7.1, as Ulmo).
Token revocation follows `oauth_dispatch/api.destroy_oauth_tokens`, in bulk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from elearn_plugin.host import tokens as host_tokens
from elearn_plugin.org import services as org_services
from elearn_plugin.org.models import Person
from elearn_plugin.standing import jobs, services
from elearn_plugin.standing.services import SanctionSpec
from elearn_plugin.tick.services import run_tick

TOKEN_URL = "/oauth2/access_token"
STATE_URL = (
    "/elearn/api/v1/video/state?block_key=block-v1:Org%2BC%2BR%2Btype@elearn_video%2Bblock@v1"
)
PASSWORD = "Right-pass-42"
REASON = "Account lent to a colleague"
BEARER = ["openedx.core.lib.api.authentication.BearerAuthentication"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def app(db):
    """The mobile app: a public client allowed the password grant, as the platform registers it."""
    return Application.objects.create(
        name="mobile",
        client_id="mobile-app",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_PASSWORD,
    )


@pytest.fixture
def learner(make_user):
    return make_user("ada", email="ada@example.com", password=PASSWORD)


@pytest.fixture
def bearer_api(settings):
    """The plugin's API reached with bearer tokens (in the LMS: the platform's bearer class)."""
    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = BEARER


def grant(client, username, password, **extra):
    data = {"grant_type": "password", "client_id": "mobile-app", "username": username}
    return client.post(TOKEN_URL, {**data, "password": password, **extra})


def refresh(client, refresh_token):
    data = {"grant_type": "refresh_token", "client_id": "mobile-app"}
    return client.post(TOKEN_URL, {**data, "refresh_token": refresh_token})


def api(client, access_token):
    return client.get(STATE_URL, HTTP_AUTHORIZATION=f"Bearer {access_token}")


def block_now(user, kind="suspension", days=7, starts_at=None):
    now = datetime.now(UTC)
    codes = {"suspension": "sharing", "revocation": "illegal_upload", "freeze": "departure"}
    return services.impose(
        user.pk,
        kind,
        codes[kind],
        f"{kind}:{user.pk}:{(starts_at or now).isoformat()}",
        reason=REASON,
        starts_at=starts_at or now - timedelta(minutes=1),
        ends_at=(starts_at or now) + timedelta(days=days) if kind == "suspension" else None,
    )[0]


# --- the password grant -----------------------------------------------------------------------


def test_good_standing_gets_tokens_and_refreshes(client, app, learner, bearer_api):  # P-8
    issued = grant(client, "ada", PASSWORD)
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"]
    assert api(client, body["access_token"]).status_code == 200
    renewed = refresh(client, body["refresh_token"])
    assert renewed.status_code == 200 and renewed.json()["access_token"] != body["access_token"]
    # The platform's validator also takes the email address.
    assert grant(client, "ada@example.com", PASSWORD).status_code == 200


def test_blocked_wrong_password_is_dots_usual_refusal(client, app, learner, make_user):  # P-8
    make_user("bob", password=PASSWORD)
    block_now(learner)
    blocked, usual = grant(client, "ada", "wrong"), grant(client, "bob", "wrong")
    assert blocked.status_code == usual.status_code == 400
    assert (
        blocked.json()
        == usual.json()
        == {
            "error": "invalid_grant",
            "error_description": "Invalid credentials given.",
        }
    )


@pytest.mark.parametrize("name", ["ada", "ada@example.com"])
def test_blocked_right_password_is_refused_with_the_reason(client, app, learner, name):  # P-8
    sanction = block_now(learner)
    refused = grant(client, name, PASSWORD)
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid_grant" and body["error_code"] == "suspended"
    assert REASON in body["error_description"]
    assert sanction.ends_at.astimezone(UTC).strftime("%Y") in body["error_description"]
    assert not AccessToken.objects.filter(user=learner).exists()
    assert not RefreshToken.objects.filter(user=learner).exists()


def test_frozen_right_password_is_refused(client, app, learner):  # P-8
    block_now(learner, kind="freeze")
    body = grant(client, "ada", PASSWORD).json()
    assert body["error_code"] == "frozen" and "reinstates you" in body["error_description"]
    assert not AccessToken.objects.filter(user=learner).exists()


# --- imposing a block revokes the tokens the learner already holds ---------------------------


def test_block_revokes_access_and_refresh_tokens(  # P-8
    client, app, learner, bearer_api, django_capture_on_commit_callbacks
):
    body = grant(client, "ada", PASSWORD).json()
    assert api(client, body["access_token"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        block_now(learner)
    assert callbacks, "the revocation waits for the commit"
    assert not AccessToken.objects.filter(user=learner).exists()
    assert not RefreshToken.objects.filter(user=learner).exists()
    # The existing access token no longer authenticates, the refresh token no longer renews.
    assert api(client, body["access_token"]).status_code == 401
    renewed = refresh(client, body["refresh_token"])
    assert renewed.status_code == 400 and renewed.json()["error"] == "invalid_grant"


def test_revocation_waits_for_the_commit(client, app, learner, django_capture_on_commit_callbacks):
    # P-8: a rolled-back sanction revokes nothing.
    grant(client, "ada", PASSWORD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        block_now(learner)
    assert AccessToken.objects.filter(user=learner).count() == 1
    assert any("revoke" in getattr(c, "__qualname__", "") for c in callbacks)


def test_a_surviving_token_of_a_blocked_learner_is_refused_by_the_plugin(  # P-8
    client, app, learner, bearer_api
):
    # A token the revocation did not see (issued in a race, or a JWT, which cannot be revoked):
    # the plugin's endpoints still refuse the blocked learner.
    # (A new token for a blocked learner is refused outright: tests/host/test_token_creation.py.)
    AccessToken.objects.create(
        user=learner,
        application=app,
        token="survivor",
        expires=timezone.now() + timedelta(hours=1),
        scope="read",
    )
    block_now(learner)  # its after-commit revocation does not run inside the test's transaction
    assert AccessToken.objects.filter(token="survivor").exists()
    response = api(client, "survivor")
    assert response.status_code == 403
    assert "cannot be used" in response.json()["detail"]


def test_bulk_block_revokes_in_chunks_not_per_learner(  # P-8
    client, app, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    def learners(count, prefix):
        users = [make_user(f"{prefix}{n}", password=PASSWORD) for n in range(count)]
        for user in users:
            assert grant(client, user.username, PASSWORD).status_code == 200
        return users

    def block_all(users, source):
        specs = [
            SanctionSpec(u.pk, "suspension", "missed_tasks", source, ends_at=far) for u in users
        ]
        with CaptureQueriesContext(connection) as ctx:
            with django_capture_on_commit_callbacks(execute=True):
                services.impose_bulk(specs)
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("DELETE")]

    far = timezone.now() + timedelta(days=30)
    monkeypatch.setattr(host_tokens, "CHUNK", 10)
    bystander = learners(1, "keep")[0]
    few, many = learners(4, "few"), learners(25, "many")
    few_deletes, many_deletes = block_all(few, "m:1"), block_all(many, "m:2")
    models = len(host_tokens.token_models())
    assert models == 3  # access tokens, refresh tokens, grants
    # One DELETE per model per chunk of ten learners: 4 learners one chunk, 25 three.
    assert 0 < len(few_deletes) <= models
    assert models < len(many_deletes) <= 3 * models < 25
    assert not AccessToken.objects.filter(user__in=[*few, *many]).exists()
    assert not RefreshToken.objects.filter(user__in=[*few, *many]).exists()
    assert AccessToken.objects.filter(user=bystander).count() == 1
    # A second run of the same month close deletes nothing more.
    assert (
        services.impose_bulk(
            [SanctionSpec(u.pk, "suspension", "missed_tasks", "m:2", ends_at=far) for u in many]
        )
        == 0
    )


def test_grants_waiting_for_exchange_are_revoked(learner, app, django_capture_on_commit_callbacks):
    # P-8: an authorisation code issued just before the block cannot be exchanged after it.
    Grant.objects.create(
        user=learner,
        application=app,
        code="pending",
        expires=timezone.now() + timedelta(minutes=1),
        redirect_uri="https://app.example/cb",
        scope="read",
    )
    with django_capture_on_commit_callbacks(execute=True):
        block_now(learner, kind="revocation")
    assert not Grant.objects.filter(user=learner).exists()


def test_ended_sanctions_revoke_nothing(client, app, learner, django_capture_on_commit_callbacks):
    # P-8: importing a suspension that ended long ago must not sign the learner's apps out.
    grant(client, "ada", PASSWORD)
    past = datetime.now(UTC) - timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        services.impose_bulk(
            [
                SanctionSpec(
                    learner.pk,
                    "suspension",
                    "sharing",
                    "old",
                    starts_at=past,
                    ends_at=past + timedelta(days=7),
                )
            ]
        )
    assert AccessToken.objects.filter(user=learner).count() == 1


def test_a_failed_revocation_keeps_the_sanction_and_the_tick_catches_up(  # P-8, P-33, P-32
    client, app, learner, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    grant(client, "ada", PASSWORD)
    run_tick(only=[jobs.JOB_NAME])  # earlier blocks (none) are done

    class Down:
        def revoke_for_users(self, user_ids):
            raise RuntimeError("database went away")

    monkeypatch.setattr(host_tokens, "get_token_adapter", lambda: Down())
    with django_capture_on_commit_callbacks(execute=True):
        sanction = block_now(learner)
    assert sanction.pk and services.active_block(learner.pk) is not None
    assert AccessToken.objects.filter(user=learner).count() == 1
    # Logged by type only: a database error's text may quote values.
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)
    assert not any("went away" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    report = run_tick(only=[jobs.JOB_NAME])
    assert report.jobs[jobs.JOB_NAME].summary["tokens_deleted"] >= 1
    assert not AccessToken.objects.filter(user=learner).exists()


def test_a_block_starting_later_revokes_the_tokens_issued_meanwhile(  # P-8, P-33
    client, app, learner, django_capture_on_commit_callbacks
):
    run_tick(only=[jobs.JOB_NAME])
    start = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        block_now(learner, starts_at=start)
    # Not blocked yet: the app signs in again before the suspension begins.
    assert grant(client, "ada", PASSWORD).status_code == 200
    assert run_tick(now=start - timedelta(minutes=5), only=[jobs.JOB_NAME]).ok
    assert AccessToken.objects.filter(user=learner).count() == 1
    first = run_tick(now=start + timedelta(minutes=5), only=[jobs.JOB_NAME])
    assert first.jobs[jobs.JOB_NAME].summary["learners"] == 1
    assert not AccessToken.objects.filter(user=learner).exists()
    # Run again (inside the overlap the block is taken again): nothing more is deleted.
    again = run_tick(now=start + timedelta(minutes=10), only=[jobs.JOB_NAME])
    assert again.jobs[jobs.JOB_NAME].summary["tokens_deleted"] == 0
    assert (
        again.jobs[jobs.JOB_NAME].summary["through"] == (start + timedelta(minutes=10)).isoformat()
    )
    run_tick(now=start + timedelta(hours=2), only=[jobs.JOB_NAME])
    later = run_tick(now=start + timedelta(hours=3), only=[jobs.JOB_NAME])
    assert later.jobs[jobs.JOB_NAME].summary["learners"] == 0  # past the overlap


# --- P-2: an app signing in with the password HR handed out ------------------------------------


@pytest.fixture
def newcomer(learner):
    unit, _ = org_services.create_unit("hq", "Headquarters")
    Person.objects.create(
        user=learner, employee_id="E1", name="Ada", unit=unit, must_change_password=True
    )
    org_services.forget_password_flags([learner.pk])
    return learner


def test_app_with_the_initial_password_is_told_to_change_it_in_the_browser(  # P-2
    client, app, newcomer
):
    refused = grant(client, "ada", PASSWORD)
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid_grant" and body["error_code"] == "password_change_required"
    assert "http://testserver/elearn/password/" in body["error_description"]
    assert not AccessToken.objects.filter(user=newcomer).exists()
    # A wrong password stays DOT's usual refusal.
    assert grant(client, "ada", "wrong").json()["error_description"] == "Invalid credentials given."
    # Once changed in the browser, the app signs in.
    org_services.clear_must_change_password(newcomer.pk)
    assert grant(client, "ada", PASSWORD).status_code == 200


# --- a departure (the account lifecycle) ends every way in --------------------------------------


def test_a_departure_revokes_tokens_and_refuses_the_password_grant(  # P-7, P-8
    client, app, learner, bearer_api, django_capture_on_commit_callbacks
):
    from elearn_plugin.lifecycle.services import depart_bulk

    unit, _ = org_services.create_unit("dept", "Department")
    Person.objects.create(user=learner, employee_id="E-ada", name="Ada", unit=unit)
    org_services.set_units_bulk([(learner.pk, unit.pk)], timezone.now() - timedelta(days=30))
    body = grant(client, "ada", PASSWORD).json()
    assert api(client, body["access_token"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert depart_bulk([learner.pk], timezone.now() - timedelta(minutes=1)) == [learner.pk]
    assert not AccessToken.objects.filter(user=learner).exists()
    assert not RefreshToken.objects.filter(user=learner).exists()
    assert api(client, body["access_token"]).status_code == 401
    assert refresh(client, body["refresh_token"]).status_code == 400
    # The old password is unusable: the grant answers as for any wrong password.
    refused = grant(client, "ada", PASSWORD)
    assert refused.status_code in (400, 401) and "access_token" not in refused.json()


# P-8, P-19: the learner's own summary, read by the apps with a bearer token; a blocked
# learner's token that escaped the revocation reads nothing.
def test_the_learner_summary_with_a_bearer_token(client, app, learner, settings):
    settings.ELEARN_LEARNER_API_AUTHENTICATION_CLASSES = BEARER
    token = grant(client, "ada", PASSWORD).json()["access_token"]
    summary = "/elearn/api/v1/me/summary/"
    answer = client.get(summary, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and "quota" in answer.json()
    assert client.get(summary).status_code == 401  # no token, no session: nothing
    block_now(learner)
    # Tokens are revoked after the commit, which this test's transaction never reaches: the
    # token is still valid here, as one issued in a race would be, and is refused anyway.
    assert AccessToken.objects.filter(token=token).exists()
    refused = client.get(summary, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 403
