"""The roster's tick job and health hook (P-2, P-6, P-7).

`roster.sync` syncs the people with the HR system's endpoint on every tick when one is
configured (`ELEARN_ROSTER_URL`); it never confirms a held sync by itself: HR confirms with
`manage.py elearn_sync_roster --confirm`. While the latest sync is held, the health report
lists `roster_held`.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_health_problems, register_job

JOB_NAME = "roster.sync"


@register_job(JOB_NAME)
def sync_from_hr(now: datetime) -> dict:
    """Fetch the roster from the configured client and sync it (held when the guard says)."""
    from elearn_plugin.audit import acting_as  # noqa: PLC0415
    from elearn_plugin.conf import setting  # noqa: PLC0415
    from elearn_plugin.roster.services import sync_roster  # noqa: PLC0415
    from elearn_plugin.roster.sources import configured_client  # noqa: PLC0415

    if not setting("ELEARN_ROSTER_URL"):
        return {"skipped": "ELEARN_ROSTER_URL is not set"}
    with acting_as(f"job:{JOB_NAME}"):
        report = sync_roster(configured_client(), confirm=False, now=now)
    return {"status": report.status, "reason": report.reason, **report.counts}


@register_health_problems
def roster_held(now: datetime) -> list[str]:
    """`roster_held` while the latest sync that did not fail waits for HR's confirmation (a
    failed attempt since does not hide it), and `roster_failed` while the latest one failed."""
    from elearn_plugin.roster.models import RosterSync, SyncStatus  # noqa: PLC0415

    latest = list(
        RosterSync.objects.order_by("-created_at", "-id").values_list("status", flat=True)[:50]
    )
    problems = ["roster_failed"] if latest and latest[0] == SyncStatus.FAILED else []
    settled = next((status for status in latest if status != SyncStatus.FAILED), None)
    return (["roster_held"] if settled == SyncStatus.HELD else []) + problems
