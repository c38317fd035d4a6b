"""Stand-in of openedx-platform `openedx/core/djangoapps/user_authn/views/login.py`.

Written from the platform's behaviour (no code copied). `login_user` answers the authn MFE's
POST to `/api/user/v2/account/login_session/` (and the v1 and legacy forms) in this order:

1. find the account: the `email` field (v1) or `email_or_username` (v2: email first, then
   username); a missing field is an error of its own; nobody found gives `None`;
2. `_check_excessive_login_attempts`: a locked-out account gets `account-locked-out`;
3. `StudentLoginRequested.run_filter(user=...)` — the only step a plugin can add; its
   `PreventLogin` becomes the answer (message as `value`, its `error_code` and `context`);
4. `_authenticate_first_party`: a rate-limited request (`request.limited`) is refused before
   any password check, then Django's `authenticate(username=..., password=..., request=...)`
   with the NFKC-normalised password (an unknown account is tried as username "");
5. `_handle_failed_authentication`: the failure is counted (`LoginFailures`), an inactive
   account with the right password gets `inactive-user`, from half the allowed failures on
   `failed-login-attempt` with the remaining attempts, else `incorrect-email-or-password`
   with `context.failure_count`;
6. success: the counter is cleared, Django's `login()`, a four-week session, then
   openedx-events' `SESSION_LOGIN_COMPLETED` with `user=UserData(pii=UserPersonalData(
   username, email, name), id, is_active)` — inside the login request, after the session
   key was cycled, and with no address — and
   `{"success": true, "redirect_url": <absolute URL>}` (with the authn MFE; `None` without).
Every failure is a 400 whose JSON holds `success`, `value`, `error_code`, `context` and
`email` (the account's email when one was found before authentication, else what was typed).

Left out: third-party auth (the pipeline, its filter-less path), the password policy and
Have-I-Been-Pwned checks, tracking/Segment calls, the
`LoginAltRedirectURLRequested` filter (newer than Ulmo), the safe-sessions bookkeeping and the
django-ratelimit decorators (not installed; `request.limited` is still honoured). The
platform's `LoginFailures` model (common/djangoapps/student/models) is a cache counter here.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as django_login
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from openedx_filters.learning.filters import StudentLoginRequested
from rest_framework.views import APIView

from openedx.core.djangoapps.user_authn.exceptions import AuthFailedError

AUDIT_LOG = logging.getLogger("audit")
API_V1 = "v1"


class LoginFailures:
    """The platform's failed-login counter per account (a model upstream, a cache here)."""

    @staticmethod
    def is_feature_enabled() -> bool:
        return bool(getattr(settings, "ENABLE_MAX_FAILED_LOGIN_ATTEMPTS", False))

    @staticmethod
    def _key(user) -> str:
        return f"standin:login_failures:{user.pk}"

    @classmethod
    def count(cls, user) -> int:
        return int(cache.get(cls._key(user), 0))

    @classmethod
    def increment_lockout_counter(cls, user) -> None:
        period = getattr(settings, "MAX_FAILED_LOGIN_ATTEMPTS_LOCKOUT_PERIOD_SECS", 1800)
        cache.set(cls._key(user), cls.count(user) + 1, period)

    @classmethod
    def is_user_locked_out(cls, user) -> bool:
        return cls.count(user) >= getattr(settings, "MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED", 6)

    @classmethod
    def check_user_reset_password_threshold(cls, user) -> tuple[bool, int]:
        allowed = getattr(settings, "MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED", 6)
        failures = cls.count(user)
        return failures >= allowed / 2, failures

    @classmethod
    def clear_lockout_counter(cls, user) -> None:
        cache.delete(cls._key(user))


def normalize_password(password: str) -> str:
    """Passwords are compared in Unicode NFKC (util/password_policy_validators.py upstream)."""
    return unicodedata.normalize("NFKC", password)


def _user_by(field: str, value: str):
    user_model = get_user_model()
    try:
        return user_model.objects.get(**{field: value})
    except user_model.DoesNotExist:
        return None


def _get_user_by_email_or_username(request, api_version: str):
    is_api_v2 = api_version != API_V1
    fields = ["email_or_username", "password"] if is_api_v2 else ["email", "password"]
    if any(field not in request.POST for field in fields):
        raise AuthFailedError(
            _("There was an error receiving your login information. Please email us.")
        )
    typed = request.POST.get("email") or request.POST.get("email_or_username") or ""
    user = _user_by("email", typed)
    if user is None and is_api_v2:
        user = _user_by("username", typed)
    if user is None:
        digest = hashlib.shake_128(typed.encode("utf-8")).hexdigest(16)
        AUDIT_LOG.warning("Login failed - Unknown user email or username %s", digest)
    return user


def _locked_out_error():
    minutes = int(getattr(settings, "MAX_FAILED_LOGIN_ATTEMPTS_LOCKOUT_PERIOD_SECS", 1800) / 60)
    raise AuthFailedError(
        _(
            "To protect your account, it's been temporarily locked. "
            "Try again in %(minutes)s minutes."
        )
        % {"minutes": minutes},
        error_code="account-locked-out",
        context={"locked_out_period": minutes},
    )


def _check_excessive_login_attempts(user) -> None:
    if (
        user is not None
        and LoginFailures.is_feature_enabled()
        and LoginFailures.is_user_locked_out(user)
    ):
        _locked_out_error()


def _authenticate_first_party(request, unauthenticated_user):
    if getattr(request, "limited", False):
        raise AuthFailedError(_("Too many failed login attempts. Try again later."))
    username = unauthenticated_user.username if unauthenticated_user else ""
    password = normalize_password(request.POST["password"])
    return authenticate(username=username, password=password, request=request)


def _handle_failed_authentication(user, authenticated_user):
    failure_count = 0
    if user is not None:
        if LoginFailures.is_feature_enabled():
            LoginFailures.increment_lockout_counter(user)
        if authenticated_user is not None and not user.is_active:
            AUDIT_LOG.warning("Login failed - Account not active for user.id: %s", user.id)
            raise AuthFailedError(
                error_code="inactive-user", context={"platformName": "", "supportLink": ""}
            )
        AUDIT_LOG.warning("Login failed - password for user.id: %s is invalid", user.id)
    if user is not None and LoginFailures.is_feature_enabled():
        blocked_threshold, failure_count = LoginFailures.check_user_reset_password_threshold(user)
        if blocked_threshold:
            if not LoginFailures.is_user_locked_out(user):
                allowed = getattr(settings, "MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED", 6)
                remaining = allowed - failure_count
                raise AuthFailedError(
                    _(
                        "Email or password is incorrect. "
                        "You have %(remaining)s more sign-in attempts."
                    )
                    % {"remaining": remaining},
                    error_code="failed-login-attempt",
                    context={
                        "remaining_attempts": remaining,
                        "allowed_failure_attempts": allowed,
                        "failure_count": failure_count,
                    },
                )
            _locked_out_error()
    raise AuthFailedError(
        _("Email or password is incorrect."),
        error_code="incorrect-email-or-password",
        context={"failure_count": failure_count},
    )


def should_redirect_to_authn_microfrontend() -> bool:
    """Tutor serves sign-in through the authn MFE (`ENABLE_AUTHN_MICROFRONTEND`)."""
    return bool(getattr(settings, "ENABLE_AUTHN_MICROFRONTEND", True))


def _redirect_url(request) -> str:
    """The absolute URL the MFE goes to after the sign-in (`next` when safe, else the dashboard)."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    allowed = {request.get_host(), *getattr(settings, "LOGIN_REDIRECT_WHITELIST", ())}
    if not target or not url_has_allowed_host_and_scheme(target, allowed, request.is_secure()):
        target = "/dashboard"
    return request.build_absolute_uri(target)


def _handle_successful_authentication_and_login(user, request) -> None:
    if LoginFailures.is_feature_enabled():
        LoginFailures.clear_lockout_counter(user)
    django_login(request, user)
    request.session.set_expiry(604800 * 4)
    from openedx_events.learning.data import UserData, UserPersonalData  # noqa: PLC0415
    from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED  # noqa: PLC0415

    SESSION_LOGIN_COMPLETED.send_event(
        user=UserData(
            pii=UserPersonalData(
                username=user.username, email=user.email, name=user.get_full_name()
            ),
            id=user.id,
            is_active=user.is_active,
        )
    )


def login_user(request, api_version: str = API_V1):
    """Sign in with email (or username, v2) and password; JSON in, JSON out."""
    possibly_authenticated_user = None
    try:
        user = _get_user_by_email_or_username(request, api_version)
        _check_excessive_login_attempts(user)
        possibly_authenticated_user = user
        try:
            possibly_authenticated_user = StudentLoginRequested.run_filter(
                user=possibly_authenticated_user
            )
        except StudentLoginRequested.PreventLogin as exc:
            raise AuthFailedError(
                str(exc),
                redirect_url=exc.redirect_to,
                error_code=exc.error_code,
                context=exc.context,
            ) from exc
        possibly_authenticated_user = _authenticate_first_party(request, user)
        if possibly_authenticated_user is None or not possibly_authenticated_user.is_active:
            _handle_failed_authentication(user, possibly_authenticated_user)
        _handle_successful_authentication_and_login(possibly_authenticated_user, request)
        redirect_url = _redirect_url(request) if should_redirect_to_authn_microfrontend() else None
        return JsonResponse({"success": True, "redirect_url": redirect_url})
    except AuthFailedError as error:
        answer = error.get_response()
        typed = request.POST.get("email" if api_version == API_V1 else "email_or_username")
        answer["email"] = (
            possibly_authenticated_user.email if possibly_authenticated_user else typed
        )
    return JsonResponse(answer, status=400)


class LoginSessionView(APIView):
    """POST /api/user/{v1,v2}/account/login_session/ — the sign-in the authn MFE calls."""

    authentication_classes: list = []

    @method_decorator(csrf_protect)
    def post(self, request, api_version):
        return login_user(request, api_version)

    @method_decorator(sensitive_post_parameters("password"))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)
