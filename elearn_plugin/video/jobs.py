"""Periodic jobs of the video domain, run by the tick (catch-up safe, idempotent)."""

from datetime import datetime

from elearn_plugin.tick.registry import register_job


@register_job("video.flush_learning_time")
def flush_learning_time_job(now: datetime) -> dict:
    """Write the learning time of watch sessions idle for ten minutes."""
    from elearn_plugin.video.services import flush_learning_time  # noqa: PLC0415

    return {"activities": flush_learning_time(idle_seconds=600, now=now)}
