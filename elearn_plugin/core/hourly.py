"""A fixed hourly window in the cache: how often something may happen per hour.

The counted value is keyed by its keyed digest (`core.keyed`), so no address or token is
ever a cache key. The count is per clock hour, not a sliding window: a burst across the
hour's turn may reach twice the limit, which is enough against scraping and floods.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from elearn_plugin.core.keyed import keyed_digest

HOUR_SECONDS = 3600


def allow(namespace: str, value: str, limit: int) -> bool:
    """Count one use of `value` in `namespace`; False once this hour's uses pass `limit`."""
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"elearn:{namespace}:{keyed_digest(value)}:{hour}"
    if cache.add(key, 1, HOUR_SECONDS):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, HOUR_SECONDS)
        count = 1
    return count <= limit
