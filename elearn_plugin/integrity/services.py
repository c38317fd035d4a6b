"""`run_checks()`: every integrity check of the restored database, one report (P-33).

Reads only, apart from the audit chain row, where the verifier records what it found (as
`elearn_verify_audit` does), so the health report shows a broken chain too.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from elearn_plugin.integrity.consistency import check_month_closes, check_outbox
from elearn_plugin.integrity.references import check_references
from elearn_plugin.integrity.report import Report
from elearn_plugin.integrity.trail import check_trail


def run_checks(
    *, expect_head: tuple[int, str] | None = None, now: datetime | None = None
) -> Report:
    """Run every check; `expect_head` is the audit head (position, HMAC) kept outside."""
    now = now or timezone.now()
    report = Report()
    check_references(report)
    check_trail(report, expect_head)
    check_month_closes(report, now)
    check_outbox(report, now)
    return report
