"""No path issues a blocked learner a new OAuth2 access token (P-8).

The password and refresh grants are refused before a token exists (tests/host/test_oauth_tokens.py);
the apps' exchange of a third-party token (openedx-platform `oauth_dispatch/views.py`
`AccessTokenExchangeView`) and a redeemed authorisation code create the token without calling
`authenticate()`. They all end in django-oauth-toolkit saving an `AccessToken`, which is refused
for a blocked learner.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from elearn_plugin.standing import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Standings are cached per user id, and ids are reused between tests' rolled-back rows.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def app():
    return Application.objects.create(
        name="mobile",
        client_id="mobile-exchange",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_PASSWORD,
    )


def _token(user, app, value):
    return AccessToken.objects.create(
        user=user,
        application=app,
        token=value,
        expires=timezone.now() + timedelta(hours=1),
        scope="read",
    )


# P-8: a suspended learner gets no new token by any grant; nothing is stored
def test_no_new_access_token_for_a_blocked_learner(make_user, app):
    learner = make_user("lin")
    services.impose(
        learner.pk,
        "suspension",
        "account_sharing",
        "test-token",
        ends_at=timezone.now() + timedelta(days=7),
    )
    with pytest.raises(PermissionDenied):
        _token(learner, app, "exchanged-token")
    assert not AccessToken.objects.filter(user=learner).exists()


# P-8: learners in good standing, existing tokens and client-credentials tokens are untouched
def test_tokens_of_learners_in_good_standing_and_updates_pass(make_user, app):
    learner = make_user("mei")
    token = _token(learner, app, "good-token")
    token.scope = "read write"
    token.save()
    services_user = AccessToken.objects.create(
        user=None,
        application=app,
        token="client-credentials",
        expires=timezone.now() + timedelta(hours=1),
        scope="read",
    )
    assert AccessToken.objects.filter(pk__in=[token.pk, services_user.pk]).count() == 2


# P-8: Django answers the refusal with 403, never 500, in a view that saves a token
def test_a_view_that_saves_a_token_answers_403(make_user, app):
    from django.core.handlers.exception import response_for_exception  # noqa: PLC0415

    learner = make_user("ning")
    services.impose(learner.pk, "freeze", "departure", "test-token-view")
    request = RequestFactory().post("/oauth2/exchange_access_token/google-oauth2/")
    try:
        _token(learner, app, "exchanged")
    except PermissionDenied as exc:
        response = response_for_exception(request, exc)
    else:  # pragma: no cover - the refusal is what is tested
        pytest.fail("a blocked learner was given an access token")
    assert response.status_code == 403
