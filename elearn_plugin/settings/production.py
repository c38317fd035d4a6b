"""Production settings: values an operator sets in the environment's YAML / Tutor config."""

from elearn_plugin.settings.common import _add_login_filter_step


def plugin_settings(settings) -> None:
    """Read operator overrides, then make sure the login filter step survived them.

    The platform applies its YAML configuration before plugin production settings, so a
    YAML `OPEN_EDX_FILTERS_CONFIG` may have replaced the dict the common settings extended.
    """
    env_tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name, value in env_tokens.items():
        if name.startswith("ELEARN_"):
            setattr(settings, name, value)
    _add_login_filter_step(settings)
