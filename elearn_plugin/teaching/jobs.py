"""Tick job of the instructor archive: gather new classroom sessions and course teams (P-27)."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_job


@register_job("teaching.sync")
def sync_teaching(now: datetime) -> dict:
    """New sessions taught and their instructors; safe to run every tick (P-33)."""
    from elearn_plugin.teaching.sync import sync_sessions  # noqa: PLC0415

    report = sync_sessions(actor=None)
    return {"sessions": report.sessions, "instructors": report.instructors, "links": report.links}
