"""A keyed digest of a value the plugin must recognise but not keep (a session key, a
network address): HMAC-SHA256 with the site's SECRET_KEY, so the digest cannot be reversed
by trying every address, and differs between sites."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_digest(value: str) -> str:
    """32 hex characters naming `value` on this site only."""
    key = str(getattr(settings, "SECRET_KEY", "")).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
