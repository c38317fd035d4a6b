"""How often one family link may be opened: an hourly window keyed by the token's digest
(never the token), so a leaked link cannot be scraped at speed."""

from __future__ import annotations

from elearn_plugin.conf import setting
from elearn_plugin.core import hourly


def allow(token: str) -> bool:
    """Count one view of `token`; False once it was opened more than the setting allows."""
    return hourly.allow("family:views", token, int(setting("ELEARN_FAMILY_VIEWS_PER_HOUR")))
