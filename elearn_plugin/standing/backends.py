"""The authentication backend that refuses blocked learners on every password path (P-8, P-2).

Django's `authenticate()` asks each backend of `AUTHENTICATION_BACKENDS` in turn and stops
at the first that raises `PermissionDenied`. The plugin's settings put this backend first,
so every caller of `authenticate()` meets it: the LMS's `login_user` (the authn MFE and the
legacy page), the OAuth2 password grant (`EdxOAuth2Validator.validate_user`, the mobile apps),
Django's admin login and the standalone site.

For a learner in good standing it answers nothing and costs one user lookup plus a cached
standing read. For a blocked learner it asks the host's own backends (the rest of the list)
whether the password is right, once, so the platform's rate limiting and failure counting see
the attempt as usual, and then always refuses. Only a right password records the reason on
the request, for `SignInRefusalMiddleware` to show; a wrong one gets the platform's usual
answer. An app (password grant) signing in with the initial password HR handed out is refused
the same way, with a clear error telling the learner to change it in the browser.
"""

from __future__ import annotations

import inspect

from django.conf import settings
from django.contrib.auth import get_user_model, load_backend
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from elearn_plugin.standing import signin
from elearn_plugin.standing.services import active_block

BACKEND_PATH = "elearn_plugin.standing.backends.SignInGateBackend"


class SignInGateBackend(BaseBackend):
    """Authenticates nobody; refuses blocked learners (and apps using an initial password)."""

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            return None
        # The platform's OAuth2 validator calls authenticate() without the request.
        http_request = request if request is not None else signin.current_request()
        block = active_block(user.pk)
        if block is None and not _app_with_initial_password(http_request, user):
            return None
        if _host_accepts(request, user, username, password):
            signin.record_refusal(http_request, _refusal(http_request, block))
        raise PermissionDenied

    def get_user(self, user_id):
        """A session recorded under this backend's name resolves as the host's backends do.

        Nobody is signed in through this backend, but code that logs a user in with
        `AUTHENTICATION_BACKENDS[0]` (Django's test client `force_login`, some host views)
        records its name; such a session must still find its user. A blocked user's session
        is ended by `BlockedSessionMiddleware`.
        """
        for backend in _other_backends():
            get_user = getattr(backend, "get_user", None)
            user = get_user(user_id) if callable(get_user) else None
            if user is not None:
                return user
        return None


def _other_backends():
    for path in settings.AUTHENTICATION_BACKENDS:
        if path != BACKEND_PATH:
            yield load_backend(path)


def _app_with_initial_password(request, user) -> bool:
    if not signin.is_password_grant(request):
        return False
    from elearn_plugin.org.services import must_change_password  # noqa: PLC0415

    return must_change_password(user.pk)


def _refusal(request, block) -> signin.SignInRefusal:
    if block is not None:
        return signin.block_refusal(block)
    path = reverse("elearn:password_change")
    url = signin.django_request(request).build_absolute_uri(path) if request else path
    return signin.password_change_refusal(url)


@sensitive_variables("password")
def _host_accepts(request, user, username: str, password: str) -> bool:
    """Whether the host's backends (every one but this) accept the password for `user`.

    Asked as `authenticate()` would ask them (same arguments, signature check, a
    `PermissionDenied` ends the search), but without the signals: the outer `authenticate()`
    sends `user_login_failed` once for the whole attempt.
    """
    for backend in _other_backends():
        try:
            inspect.signature(backend.authenticate).bind(
                request, username=username, password=password
            )
        except TypeError:
            continue
        try:
            found = backend.authenticate(request, username=username, password=password)
        except PermissionDenied:
            return False
        if found is not None:
            return found.pk == user.pk
    return False
