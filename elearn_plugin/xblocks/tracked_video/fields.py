"""The authored fields of `elearn_video`: what Studio and the OLX import refuse, safe sources.

Shared by the block's Studio validation and OLX import (`field_problems`) and its views
(`_safe_src`, `_media_type`). The limits are the video domain's (`video.constants`), so that
Studio, the rescan and the server's check of authored facts agree.
"""

from __future__ import annotations

import re

from elearn_plugin.rules.watch import MAX_DURATION_SECONDS
from elearn_plugin.video.constants import MAX_RATE_LIMIT, MIN_RATE_LIMIT

_SOURCE_RE = re.compile(r"^(https?://|/)[^\s\"'<>]+$")
_MEDIA_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".m4v": "video/mp4"}


def _(text: str) -> str:
    """Mark a string for extraction; translated at render time through the i18n service."""
    return text


def field_problems(duration, max_rate, sources, transcript) -> list[str]:
    """What is wrong with the authored fields (English; translated where shown)."""
    problems = []
    try:
        value = float(duration)
        if not (0 < value <= MAX_DURATION_SECONDS):
            problems.append(_("The duration must be between 0 and 86400 seconds."))
    except (TypeError, ValueError):
        problems.append(_("The duration must be a number of seconds."))
    try:
        rate = float(max_rate)
        if not (MIN_RATE_LIMIT <= rate <= MAX_RATE_LIMIT):
            problems.append(_("The maximum playback rate must be between 0.25 and 2.0."))
    except (TypeError, ValueError):
        problems.append(_("The maximum playback rate must be a number."))
    if not sources:
        problems.append(_("At least one video source is required."))
    if any(not _safe_src(s) for s in sources):
        problems.append(_("Each video source must be an http(s) address or a path."))
    if transcript and not _safe_src(transcript):
        problems.append(_("The transcript must be an http(s) address or a path."))
    return problems


def _safe_src(value: object) -> bool:
    return isinstance(value, str) and bool(_SOURCE_RE.match(value)) and len(value) <= 2000


def _media_type(src: str) -> str:
    lowered = src.lower().split("?", 1)[0]
    for ext, kind in _MEDIA_TYPES.items():
        if lowered.endswith(ext):
            return kind
    return ""
