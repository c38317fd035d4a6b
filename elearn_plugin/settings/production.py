"""Production settings: run after the operator's YAML and after `derive_settings`.

The platform's production.py `vars().update()`s the settings module with the YAML (LMS_CFG /
CMS_CFG), every key replacing the value wholesale, then derives, then runs plugin production
settings. An operator's `ELEARN_*` keys are therefore already in place here (ENV_TOKENS is
read again only for platforms that still load it separately), while a YAML
`OPEN_EDX_FILTERS_CONFIG` or `CELERYBEAT_SCHEDULE` has replaced the dicts the common settings
extended: the login and render steps and the tick are added to them again, keeping the
operator's entries.
A YAML `AUTHENTICATION_BACKENDS` replaces the list too (and the platform prepends third-party
auth backends when that feature is on): the sign-in gate is put first again.
"""

from elearn_plugin.settings.common import (
    RENDER_FILTER,
    RENDER_FILTER_STEP,
    _add_auth_backend,
    _add_beat_entry,
    _add_filter_step,
    _add_login_filter_step,
)


def plugin_settings(settings) -> None:
    """Read operator overrides, then make sure the sign-in steps and the tick survived them."""
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name, value in env_tokens.items():
        if name.startswith("ELEARN_"):
            setattr(settings, name, value)
    _add_login_filter_step(settings)
    _add_filter_step(settings, RENDER_FILTER, RENDER_FILTER_STEP)
    _add_auth_backend(settings)
    _add_beat_entry(settings)
    # A production site seals its audit trail: without ELEARN_AUDIT_KEY the system check fails.
    settings.ELEARN_AUDIT_KEY_REQUIRED = True
