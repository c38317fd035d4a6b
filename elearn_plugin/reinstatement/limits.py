"""How often one address may ask for reinstatement links (the accounts have their own limit
in `services.request_link`). A fixed hourly window in the cache, keyed by a hash of the
address, so no address is stored."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from elearn_plugin.conf import setting
from elearn_plugin.core.keyed import keyed_digest


def _key(address: str) -> str:
    digest = keyed_digest(address)
    hour = timezone.now().strftime("%Y%m%d%H")
    return f"elearn:reinstatement:rate:{digest}:{hour}"


def allow(address: str | None) -> bool:
    """Count one request from `address`; False once it made more than the setting allows."""
    limit = int(setting("ELEARN_REINSTATEMENT_REQUESTS_PER_HOUR"))
    key = _key(address or "unknown")
    if cache.add(key, 1, 3600):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        count = 1
    return count <= limit
