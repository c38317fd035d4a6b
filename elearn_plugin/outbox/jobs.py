"""The outbox's periodic job: drain due messages on every tick."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.conf import setting
from elearn_plugin.outbox.sender import send_pending
from elearn_plugin.tick.registry import register_job


@register_job("outbox")
def outbox_job(now: datetime) -> dict:
    """Send what is due; a row missed now is due at the next tick (catch-up safe)."""
    limit = int(setting("ELEARN_OUTBOX_BATCH_SIZE"))
    return send_pending(limit=limit, now=now).as_dict()
