"""Test settings: the common defaults are enough; kept so the host's test settings load it."""

from elearn_plugin.settings.common import plugin_settings as common_settings


def plugin_settings(settings) -> None:
    """Apply common settings (tests in the host load `common` then `test`)."""
    common_settings(settings)
