"""Settings every project gets. Additive only: shared dicts are extended, never replaced."""

from pathlib import Path

DEFAULT_POLICY_FILE = str(Path(__file__).resolve().parent.parent / "policy" / "default.yaml")


def plugin_settings(settings) -> None:
    """Add the plugin's defaults to the host's settings module."""
    _default(settings, "ELEARN_POLICY_FILE", DEFAULT_POLICY_FILE)
    _default(settings, "ELEARN_PLACEHOLDER_EMAIL_DOMAIN", "learners.invalid")
    _default(settings, "ELEARN_USER_ADAPTER", "elearn_plugin.host.users.HostUserAdapter")

    locale_dir = str(Path(__file__).resolve().parent.parent / "locale")
    paths = list(getattr(settings, "LOCALE_PATHS", []) or [])
    if locale_dir not in paths:
        paths.append(locale_dir)
        settings.LOCALE_PATHS = type(getattr(settings, "LOCALE_PATHS", []) or [])(paths)


def _default(settings, name: str, value) -> None:
    if not hasattr(settings, name):
        setattr(settings, name, value)
