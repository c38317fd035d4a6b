"""Test settings: the common defaults, and a fixed audit key so the trail seals in tests."""

from elearn_plugin.settings.common import plugin_settings as common_settings

TEST_AUDIT_KEY = "elearn-test-audit-key-not-a-secret"


def plugin_settings(settings) -> None:
    """Apply common settings (tests in the host load `common` then `test`)."""
    common_settings(settings)
    if not getattr(settings, "ELEARN_AUDIT_KEY", ""):
        settings.ELEARN_AUDIT_KEY = TEST_AUDIT_KEY
