"""The only writer of `UnitMonthHours`: a closed month's hours cap, recorded once (P-24).

Called by the month close's `on_month_closed` hook inside the closing transaction, so the
figures commit with the close or not at all. A month already recorded is left as it is: a
re-run, or a later correction of learning time, changes no closed month's figures (the
report of the month computes the same rows live only while it is open).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.hours.queries import month_cap_rows
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.hours_cap import decimal_share
from elearn_plugin.rules.periods import Period


def record_month_hours(
    close, period: Period, policy: Policy, *, actor=None, now: datetime | None = None
) -> int:
    """Write the cap rows of a closed month once; returns how many rows were written."""
    who = audit.resolve(actor)
    when = now or timezone.now()
    with transaction.atomic():
        if UnitMonthHours.objects.filter(period=period.label).exists():
            return 0
        rows = [
            UnitMonthHours(
                close=close,
                period=period.label,
                unit_id=row.unit_id,
                online_seconds=row.online_seconds,
                offline_seconds=row.offline_seconds,
                counted_seconds=row.counted_seconds,
                excess_seconds=row.excess_seconds,
                cap_share=decimal_share(row.cap_share),
                share=decimal_share(row.share),
                recorded_at=when,
            )
            for row in month_cap_rows(period, policy)
        ]
        UnitMonthHours.objects.bulk_create(rows, batch_size=500)
        audit.record(
            who, "hours.recorded", close, {"period_code": period.label, "count": len(rows)}
        )
    return len(rows)
