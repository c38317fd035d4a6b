"""Settings every project gets. Additive only: shared dicts are extended, never replaced.

These run inside the platform's `lms/envs/common.py` / `cms/envs/common.py`, before the YAML
and before `derive_settings`: a setting the plugin did not create may still be a `Derived`
object here, so none is read, iterated or copied — only `MIDDLEWARE` and
`AUTHENTICATION_BACKENDS` (plain lists in both projects) and the dicts
`OPEN_EDX_FILTERS_CONFIG` and `CELERYBEAT_SCHEDULE` are extended.
"""

import copy

from elearn_plugin.settings.defaults import (  # noqa: F401 - names other modules import
    DEFAULT_LOGIN_ENDPOINTS,
    DEFAULT_POLICY_FILE,
    DEFAULTS,
)


def plugin_settings(settings) -> None:
    """Add the plugin's defaults (settings/defaults.py) and its steps to the host's settings."""
    for name, value in DEFAULTS.items():
        _default(settings, name, copy.deepcopy(value))

    # Standing (P-8): blocked learners are refused on every sign-in path (ADR 0007).
    _add_login_filter_step(settings)
    # Review (P-10, P-11): a gated block rendered on its own shows the gate's notice.
    _add_filter_step(settings, RENDER_FILTER, RENDER_FILTER_STEP)
    _add_auth_backend(settings)
    _add_middleware(settings, BLOCKED_SESSION_MIDDLEWARE)
    _add_middleware(settings, SIGN_IN_REFUSAL_MIDDLEWARE)
    # Sharing (P-4): where each signed-in session is used, for the sign-in evidence.
    _add_middleware(settings, PLACES_MIDDLEWARE)
    # Org (P-2): initial passwords are replaced at first sign-in.
    _add_middleware(settings, FORCE_PASSWORD_CHANGE_MIDDLEWARE)
    # The tick (P-33), where a beat runs.
    _add_beat_entry(settings)
    # No LOCALE_PATHS entry: Django finds an installed app's `locale/` by itself, and in the
    # platform LOCALE_PATHS is still a `Derived` value while common settings run.


LOGIN_FILTER = "org.openedx.learning.student.login.requested.v1"
LOGIN_FILTER_STEP = "elearn_plugin.standing.filters.RefuseBlockedLogin"
RENDER_FILTER = "org.openedx.learning.xblock.render.started.v1"
RENDER_FILTER_STEP = "elearn_plugin.review.filters.HideUnapprovedContent"
BLOCKED_SESSION_MIDDLEWARE = "elearn_plugin.standing.middleware.BlockedSessionMiddleware"
SIGN_IN_REFUSAL_MIDDLEWARE = "elearn_plugin.standing.middleware.SignInRefusalMiddleware"
SIGN_IN_BACKEND = "elearn_plugin.standing.backends.SignInGateBackend"
FORCE_PASSWORD_CHANGE_MIDDLEWARE = "elearn_plugin.org.middleware.ForcePasswordChangeMiddleware"
PLACES_MIDDLEWARE = "elearn_plugin.sharing.places.PlacesMiddleware"


def _add_login_filter_step(settings) -> None:
    """Refuse blocked sign-ins (P-8): our step joins the login filter's pipeline."""
    _add_filter_step(settings, LOGIN_FILTER, LOGIN_FILTER_STEP)


def _add_filter_step(settings, filter_type: str, step: str) -> None:
    """Append our step to a filter's pipeline.

    Other steps and an operator's `fail_silently` stay; without one we set it False, so a
    broken step refuses loudly (a sign-in, a render) instead of letting the policy be skipped.
    """
    config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
    if not isinstance(config, dict):
        config = {}
        settings.OPEN_EDX_FILTERS_CONFIG = config
    entry = config.get(filter_type) or {}
    if isinstance(entry, str):
        entry = {"pipeline": [entry]}
    elif isinstance(entry, list):
        entry = {"pipeline": list(entry)}
    else:
        entry = dict(entry)
    pipeline = list(entry.get("pipeline") or [])
    if step not in pipeline:
        pipeline.append(step)
    entry["pipeline"] = pipeline
    entry.setdefault("fail_silently", False)
    config[filter_type] = entry


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
