"""The `privacy` section: the notice's version and how long evidence is kept (P-32).

Pure module (no Django). What the keys mean is in `schema.PrivacyRule` and in
docs/configuration.md and docs/privacy.md; `elearn_plugin.privacy.retention` applies them.
"""

from __future__ import annotations

from typing import Any

from elearn_plugin.policy.checker import BAD, Checker, Fields, leaf, ok, sub
from elearn_plugin.policy.schema import PrivacyRule

SECTION = "privacy"
RETENTION = f"{SECTION}.retention_days"
# The sharing detectors compare an account's sessions of the last hours and the judge groups
# a day of evidence: a week of addresses is the least that lets them work.
MIN_IP_DAYS = 7
# A month is judged after it ends (and may be held for HR): timing must outlive the month
# before the one being closed.
MIN_TIMING_DAYS = 62


def privacy(check: Checker, root: Fields) -> Any:
    """`privacy` as a `PrivacyRule`, or `BAD`."""
    fields = sub(check, root, SECTION, SECTION)
    version = leaf(fields, "notice_revision", SECTION, check.at_least(1))
    retention_f = sub(check, fields, "retention_days", RETENTION)
    ip_days = leaf(retention_f, "ip_addresses", RETENTION, check.at_least(MIN_IP_DAYS))
    timing_days = leaf(retention_f, "watch_timing", RETENTION, check.at_least(MIN_TIMING_DAYS))
    if ok(ip_days, timing_days) and timing_days < ip_days:
        check.add(
            retention_f["watch_timing"][1],
            f"{RETENTION}.watch_timing",
            f"must be at least {RETENTION}.ip_addresses ({ip_days}): the watch sessions"
            " hold the addresses",
        )
        return BAD
    if not ok(version, ip_days, timing_days):
        return BAD
    return PrivacyRule(
        notice_revision=version, ip_address_days=ip_days, watch_timing_days=timing_days
    )
