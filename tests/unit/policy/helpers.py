"""Building broken policy files from the default one."""

from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[3] / "elearn_plugin" / "policy" / "default.yaml"
DEFAULT_TEXT = DEFAULT.read_text(encoding="utf-8")


def variant(*replacements: tuple[str, str]) -> str:
    """The default policy text with each (old, new) replaced once; `old` must be present."""
    text = DEFAULT_TEXT
    for old, new in replacements:
        assert text.count(old) == 1, f"not exactly once in default.yaml: {old!r}"
        text = text.replace(old, new)
    return text


def line_of(text: str, fragment: str) -> int:
    """1-based line number of the first line containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
