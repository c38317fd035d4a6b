"""The lifecycle's own signals, sent once per batch after the batch commits (P-6, P-7).

Bulk-capable on purpose: a roster sync moving 3,000 people sends one `employee_transferred`
with 3,000 ids, not 3,000 signals. Receivers get ids only (no names): what they need they
read, and a receiver that fails never undoes the committed change.

- `employee_transferred(user_ids: list[int], when: datetime)`
- `employee_departed(user_ids: list[int], when: datetime)`
- `employee_rehired(user_ids: list[int], when: datetime)`
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

employee_transferred = Signal()
employee_departed = Signal()
employee_rehired = Signal()


def send_after_commit(signal: Signal, user_ids: Sequence[int], when: datetime) -> None:
    """Send `signal` once for these ids when the current transaction commits."""
    ids = sorted(set(user_ids))
    if not ids:
        return

    def send() -> None:
        for receiver, result in signal.send_robust(sender=None, user_ids=ids, when=when):
            if isinstance(result, Exception):
                log.error(
                    "lifecycle receiver %s failed (%s) for %s learners",
                    getattr(receiver, "__qualname__", receiver),
                    type(result).__name__,
                    len(ids),
                )

    transaction.on_commit(send)
