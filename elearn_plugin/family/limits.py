"""How often one family link may be opened: a fixed hourly window in the cache, keyed by the
token's hash (never the token), so a leaked link cannot be scraped at speed."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from elearn_plugin.conf import setting
from elearn_plugin.core.keyed import keyed_digest


def allow(token: str) -> bool:
    """Count one view of `token`; False once it was opened more than the setting allows."""
    limit = int(setting("ELEARN_FAMILY_VIEWS_PER_HOUR"))
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"elearn:family:views:{keyed_digest(token)}:{hour}"
    if cache.add(key, 1, 3600):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        count = 1
    return count <= limit
