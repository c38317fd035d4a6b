"""How often one address may ask for reinstatement links (the accounts have their own limit
in `services.request_link`): an hourly window keyed by the address's digest, so no address
is stored."""

from __future__ import annotations

from elearn_plugin.conf import setting
from elearn_plugin.core import hourly


def allow(address: str | None) -> bool:
    """Count one request from `address`; False once it made more than the setting allows."""
    limit = int(setting("ELEARN_REINSTATEMENT_REQUESTS_PER_HOUR"))
    return hourly.allow("reinstatement:rate", address or "unknown", limit)
