"""OAuth2 tokens in the host: the one place that knows django-oauth-toolkit (P-8).

The LMS issues API access through django-oauth-toolkit (DOT, `oauth2_provider`): the mobile
apps and API clients hold an access token (opaque, DOT's default lifetime 10 hours) and a
refresh token (90 days in the platform's `OAUTH2_PROVIDER`), and a short-lived authorisation
code (`Grant`) may be waiting to be exchanged. Blocking a learner deletes all three kinds for
that learner, as the platform's own `oauth_dispatch.api.destroy_oauth_tokens` does on
retirement, but for many learners at once: one delete per model per chunk of ids.

JWTs made from these tokens are signed, not stored, and cannot be revoked: they expire by
themselves (`docs/sign-in.md` gives the bound).

The adapter is chosen by whether the provider app is installed, not by
`ELEARN_HOST_ADAPTERS`: the tables exist exactly when DOT is installed (the LMS and Studio
install it; the harness and the standalone site too), and a fake would only hide the real
behaviour.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from django.apps import apps

from elearn_plugin.core.batching import chunked

log = logging.getLogger(__name__)

CHUNK = 500
PROVIDER_APP = "oauth2_provider"
# (model getter in oauth2_provider.models, model name): DOT's models may be swapped.
_KINDS = (
    ("get_access_token_model", "AccessToken"),
    ("get_refresh_token_model", "RefreshToken"),
    ("get_grant_model", "Grant"),
)


def token_models() -> tuple:
    """The host's token models, access tokens first; () when no OAuth2 provider is installed."""
    if not apps.is_installed(PROVIDER_APP):
        return ()
    try:
        from oauth2_provider import models  # noqa: PLC0415
    except (ImportError, RuntimeError):
        # RuntimeError: the package is importable but its app is not installed.
        return ()
    found = []
    for getter, name in _KINDS:
        get_model = getattr(models, getter, None)
        model = get_model() if callable(get_model) else getattr(models, name, None)
        if model is not None:
            found.append(model)
    return tuple(found)


class TokenAdapter(Protocol):
    """What the plugin needs from the host's OAuth2 provider."""

    def revoke_for_users(self, user_ids: Iterable[int]) -> int:
        """Delete every access token, refresh token and pending grant of these users."""


class ProviderTokenAdapter:
    """django-oauth-toolkit's tables: one DELETE per model per chunk of learners."""

    def __init__(self, models: tuple):
        self.models = models

    def revoke_for_users(self, user_ids: Iterable[int]) -> int:
        ids = sorted({int(uid) for uid in user_ids})
        deleted = 0
        for chunk in chunked(ids, CHUNK):
            for model in self.models:
                # Access tokens first: their refresh tokens are then unlinked (SET_NULL) by the
                # same delete and removed by the next one.
                _total, per_model = model.objects.filter(user_id__in=chunk).delete()
                deleted += per_model.get(model._meta.label, 0)
        if ids:
            log.info("oauth2 tokens revoked: %s rows for %s learners", deleted, len(ids))
        return deleted


class NoTokenAdapter:
    """No OAuth2 provider installed: there is nothing to revoke."""

    def revoke_for_users(self, user_ids: Iterable[int]) -> int:
        return 0


def get_token_adapter() -> TokenAdapter:
    """The provider's adapter when DOT is installed, else one that revokes nothing."""
    models = token_models()
    return ProviderTokenAdapter(models) if models else NoTokenAdapter()


def refuse_token_for_blocked(sender, instance, raw: bool = False, **kwargs) -> None:
    """No new OAuth2 access token for a blocked learner, whatever grant issues it (P-8).

    Connected to `pre_save` of DOT's access-token model when the provider is installed. It
    covers the paths that never call `authenticate()`: the apps' exchange of a third-party
    (SSO) token for an LMS token, an authorisation code redeemed after the block, and any
    grant added later. Django answers the `PermissionDenied` with 403; the grant's
    transaction rolls back, so nothing is stored. Updates of existing tokens and tokens
    without a user (client credentials) pass.
    """
    if raw or not instance._state.adding or getattr(instance, "user_id", None) is None:
        return
    from django.core.exceptions import PermissionDenied  # noqa: PLC0415

    from elearn_plugin.standing.services import active_block  # noqa: PLC0415

    if active_block(instance.user_id) is not None:
        raise PermissionDenied("This account is blocked.")


def connect_token_receivers() -> None:
    """Refuse new access tokens of blocked learners where DOT is installed (LMS and Studio)."""
    if not apps.is_installed(PROVIDER_APP):
        return
    from django.db.models.signals import pre_save  # noqa: PLC0415
    from oauth2_provider.models import get_access_token_model  # noqa: PLC0415

    pre_save.connect(
        refuse_token_for_blocked,
        sender=get_access_token_model(),
        dispatch_uid="elearn_plugin.host.tokens.refuse_token_for_blocked",
    )
