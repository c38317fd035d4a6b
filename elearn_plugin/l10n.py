"""Dates shown on the plugin's pages, in the learner's language and the policy's time zone.

Open edX names Simplified Chinese `zh-cn` (and Traditional `zh-tw`, `zh-hk`); Django keeps
its format modules under `zh_Hans` / `zh_Hant` only, so `{{ value }}` or `|date` in a zh-cn
page fell back to the English `DATETIME_FORMAT` ("March 17, 2026, 4 p.m."). The format is
taken from the script's module instead (`Y年n月j日 H:i`), month names in that language.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import dateformat, formats, timezone, translation

# The host's language code -> the one Django has formats (and month names) for.
FORMAT_LANGUAGES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
}


def format_language(language: str | None = None) -> str:
    """The language whose formats are used for `language` (the active one by default)."""
    code = (language or translation.get_language() or "en").lower()
    return FORMAT_LANGUAGES.get(code, code)


def display_tz():
    try:
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        return get_policy().tz
    except Exception:  # noqa: BLE001 - no policy configured: the site's zone
        return timezone.get_current_timezone()


def format_datetime(value: datetime | date | None, kind: str = "DATETIME_FORMAT") -> str:
    """`value` as the learner's language writes it; an aware date-time in the policy's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, display_tz())
    language = format_language()
    with translation.override(language):
        return dateformat.format(value, formats.get_format(kind, lang=language))
