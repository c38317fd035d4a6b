"""Every Django setting the plugin reads is documented in docs/configuration.md."""

import re
from pathlib import Path

from elearn_plugin.settings.defaults import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def _settings_read_by_the_plugin() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "elearn_plugin").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        # settings.ELEARN_X, getattr(settings, "ELEARN_X"...), _default(settings, "ELEARN_X"...)
        names |= set(re.findall(r"settings\.(ELEARN_[A-Z0-9_]+)", text))
        names |= set(re.findall(r"settings,\s*\"(ELEARN_[A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"setting\(\"(ELEARN_[A-Z0-9_]+)\"\)", text))
    return names | set(DEFAULTS)


def test_settings_are_read_through_their_one_default():
    """No module repeats a default: `conf.setting(name)` reads DEFAULTS (settings/defaults.py)."""
    repeated = []
    for path in (ROOT / "elearn_plugin").rglob("*.py"):
        if path.parent.name == "settings":
            continue  # the plugin_settings functions apply the defaults to the host's module
        text = path.read_text(encoding="utf-8")
        repeated += [
            f"{path.name}: {m}"
            for m in re.findall(r"getattr\(\s*settings,\s*\"(ELEARN_\w+)\"", text)
        ]
    assert not repeated, repeated


def test_every_default_is_annotated():
    text = (ROOT / "elearn_plugin" / "settings" / "defaults.py").read_text(encoding="utf-8")
    annotated = set(re.findall(r"# \.\. setting_name: (ELEARN_\w+)", text))
    assert annotated == set(DEFAULTS)


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
