"""The demo's privacy lines (P-32): nobody has acknowledged the notice yet, so each learner
meets it once; the retention periods and the subject-access command are printed."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.policy.runtime import get_policy


def seed_demo(now: datetime) -> list[str]:
    """Nothing to write; the lines to print."""
    rule = get_policy().privacy
    return [
        f"  Privacy notice: /elearn/privacy/ (addresses kept {rule.ip_address_days} days, "
        f"watch timing {rule.watch_timing_days} days; tick job privacy.retention)",
        "  Subject access: manage.py elearn_subject_access --user learner01 "
        "--output learner01.json",
    ]
