"""Every Django setting the plugin reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_read_by_the_plugin() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "elearn_plugin").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        # settings.ELEARN_X, getattr(settings, "ELEARN_X"...), _default(settings, "ELEARN_X"...)
        names |= set(re.findall(r"settings\.(ELEARN_[A-Z0-9_]+)", text))
        names |= set(re.findall(r"settings,\s*\"(ELEARN_[A-Z0-9_]+)\"", text))
    return names


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(ELEARN_[A-Z0-9_]+)`", doc))
    missing = _settings_read_by_the_plugin() - documented
    assert not missing, f"settings missing from docs/configuration.md: {sorted(missing)}"


def test_no_documented_setting_is_stale():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(ELEARN_[A-Z0-9_]+)`", doc))
    stale = documented - _settings_read_by_the_plugin()
    assert not stale, f"documented settings the plugin never reads: {sorted(stale)}"
