"""Settings every project gets. Additive only: shared dicts are extended, never replaced.

These run inside the platform's `lms/envs/common.py` / `cms/envs/common.py`, before the YAML
and before `derive_settings`: a setting the plugin did not create may still be a `Derived`
object here, so none is read, iterated or copied — only `MIDDLEWARE` and
`AUTHENTICATION_BACKENDS` (plain lists in both projects) and the dicts
`OPEN_EDX_FILTERS_CONFIG` and `CELERYBEAT_SCHEDULE` are extended.
"""

from pathlib import Path

DEFAULT_POLICY_FILE = str(Path(__file__).resolve().parent.parent / "policy" / "default.yaml")


def plugin_settings(settings) -> None:
    """Add the plugin's defaults to the host's settings module."""
    _default(settings, "ELEARN_POLICY_FILE", DEFAULT_POLICY_FILE)
    _default(settings, "ELEARN_PLACEHOLDER_EMAIL_DOMAIN", "learners.invalid")
    _default(settings, "ELEARN_USER_ADAPTER", "elearn_plugin.host.users.HostUserAdapter")
    # Host adapters (courses, completion, enrolment): "platform" inside Open edX, "fake" standalone.
    _default(settings, "ELEARN_HOST_ADAPTERS", "platform")
    _default(settings, "ELEARN_ENROLL_CHUNK_SIZE", 100)
    # Tracked video (P-17): the report endpoint's authentication (in the LMS add the platform's
    # JWT and bearer classes for the mobile apps), reports per learner per minute, token salt.
    _default(
        settings,
        "ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES",
        ["rest_framework.authentication.SessionAuthentication"],
    )
    _default(settings, "ELEARN_VIDEO_RATE_LIMIT", 30)
    _default(settings, "ELEARN_WATCH_TOKEN_SALT", "elearn.video.watch")
    # Audit trail (P-11, P-33, ADR 0009): the HMAC key sealing it, never in the database; a
    # rotated key stays in the retired list while rows sealed with it must still verify.
    _default(settings, "ELEARN_AUDIT_KEY", "")
    _default(settings, "ELEARN_AUDIT_RETIRED_KEYS", [])

    # Standing (P-8): blocked learners are refused on every sign-in path (ADR 0007).
    _add_login_filter_step(settings)
    _add_auth_backend(settings)
    _add_middleware(settings, BLOCKED_SESSION_MIDDLEWARE)
    _add_middleware(settings, SIGN_IN_REFUSAL_MIDDLEWARE)
    _default(settings, "ELEARN_REINSTATEMENT_HELP", "")
    _default(settings, "ELEARN_LOGIN_ENDPOINTS", list(DEFAULT_LOGIN_ENDPOINTS))
    # Org (P-2): initial passwords are replaced at first sign-in.
    _default(settings, "ELEARN_PASSWORD_LENGTH", 12)
    _default(
        settings,
        "ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES",
        ["/api/", "/elearn/api/", "/logout", "/oauth2/", "/i18n/", "/jsi18n/"],
    )
    _add_middleware(settings, FORCE_PASSWORD_CHANGE_MIDDLEWARE)
    # Outbox and tick (P-33): delivery backend 'auto' | 'ace' | 'django', retries, health limits.
    _default(settings, "ELEARN_OUTBOX_BACKEND", "auto")
    _default(settings, "ELEARN_MESSAGE_FROM", "")
    _default(settings, "ELEARN_MESSAGE_ID_DOMAIN", "")
    _default(settings, "ELEARN_OUTBOX_MAX_ATTEMPTS", 8)
    _default(settings, "ELEARN_OUTBOX_RETRY_BASE_SECONDS", 60)
    _default(settings, "ELEARN_OUTBOX_RETRY_MAX_SECONDS", 6 * 3600)
    _default(settings, "ELEARN_OUTBOX_LEASE_SECONDS", 600)
    _default(settings, "ELEARN_OUTBOX_BATCH_SIZE", 500)
    _default(settings, "ELEARN_TICK_LOCK", "auto")
    _default(settings, "ELEARN_TICK_LEASE_SECONDS", 1800)
    _default(settings, "ELEARN_HEALTH_MAX_TICK_AGE_SECONDS", 1800)
    _default(settings, "ELEARN_HEALTH_MAX_OUTBOX_AGE_SECONDS", 3600)
    _add_beat_entry(settings)
    # No LOCALE_PATHS entry: Django finds an installed app's `locale/` by itself, and in the
    # platform LOCALE_PATHS is still a `Derived` value while common settings run.


LOGIN_FILTER = "org.openedx.learning.student.login.requested.v1"
LOGIN_FILTER_STEP = "elearn_plugin.standing.filters.RefuseBlockedLogin"
BLOCKED_SESSION_MIDDLEWARE = "elearn_plugin.standing.middleware.BlockedSessionMiddleware"
SIGN_IN_REFUSAL_MIDDLEWARE = "elearn_plugin.standing.middleware.SignInRefusalMiddleware"
SIGN_IN_BACKEND = "elearn_plugin.standing.backends.SignInGateBackend"
# The LMS's browser sign-in endpoints (openedx-platform user_authn/urls_common.py): the authn
# MFE posts to the v2 one, the legacy page to login_ajax.
DEFAULT_LOGIN_ENDPOINTS = (
    "/api/user/v1/account/login_session/",
    "/api/user/v2/account/login_session/",
    "/user_api/v1/account/login_session/",
    "/user_api/v2/account/login_session/",
    "/login_ajax",
)
FORCE_PASSWORD_CHANGE_MIDDLEWARE = "elearn_plugin.org.middleware.ForcePasswordChangeMiddleware"


def _add_login_filter_step(settings) -> None:
    """Refuse blocked sign-ins (P-8): our step joins the login filter's pipeline.

    Other steps and an operator's `fail_silently` stay; without one we set it False, so a
    broken step refuses sign-ins loudly instead of letting blocked accounts in.
    """
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
    if not isinstance(config, dict):
        config = {}
        settings.OPEN_EDX_FILTERS_CONFIG = config
    entry = config.get(LOGIN_FILTER) or {}
    if isinstance(entry, str):
        entry = {"pipeline": [entry]}
    elif isinstance(entry, list):
        entry = {"pipeline": list(entry)}
    else:
        entry = dict(entry)
    pipeline = list(entry.get("pipeline") or [])
    if LOGIN_FILTER_STEP not in pipeline:
        pipeline.append(LOGIN_FILTER_STEP)
    entry["pipeline"] = pipeline
    entry.setdefault("fail_silently", False)
    config[LOGIN_FILTER] = entry


def _add_auth_backend(settings) -> None:
    """Put the sign-in gate first in `AUTHENTICATION_BACKENDS`, keeping every other backend.

    `authenticate()` stops at the first backend raising `PermissionDenied`, so the gate must
    come before any backend that checks passwords. Where the list is not set, Django's
    default (the model backend) stays behind it.
    """
    backends = getattr(settings, "AUTHENTICATION_BACKENDS", None)
    if backends is None:
        from django.conf import global_settings  # noqa: PLC0415

        backends = list(global_settings.AUTHENTICATION_BACKENDS)
        settings.AUTHENTICATION_BACKENDS = backends
    if backends and backends[0] == SIGN_IN_BACKEND:
        return
    others = [path for path in backends if path != SIGN_IN_BACKEND]
    if isinstance(backends, list):
        backends[:] = [SIGN_IN_BACKEND, *others]
    else:
        settings.AUTHENTICATION_BACKENDS = type(backends)([SIGN_IN_BACKEND, *others])


def _add_middleware(settings, dotted: str) -> None:
    middleware = getattr(settings, "MIDDLEWARE", None)
    if middleware is None or dotted in middleware:
        return
    if isinstance(middleware, list):
        middleware.append(dotted)
    else:
        settings.MIDDLEWARE = type(middleware)([*middleware, dotted])


TICK_TASK = "elearn.tick"


def _add_beat_entry(settings) -> None:
    """Schedule the tick every 5 minutes where a beat runs (Tutor runs none: use cron).

    The platform's Celery reads the old-style CELERYBEAT_SCHEDULE; entries of others stay.
    """
    from datetime import timedelta  # noqa: PLC0415

    schedule = getattr(settings, "CELERYBEAT_SCHEDULE", None)
    if not isinstance(schedule, dict):
        schedule = {}
        settings.CELERYBEAT_SCHEDULE = schedule
    schedule.setdefault(TICK_TASK, {"task": TICK_TASK, "schedule": timedelta(minutes=5)})


def _default(settings, name: str, value) -> None:
    if not hasattr(settings, name):
        setattr(settings, name, value)
