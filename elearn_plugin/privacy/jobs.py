"""The retention tick job: expired address and timing evidence erased, once (P-32, P-33)."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_job

JOB_NAME = "privacy.retention"


@register_job(JOB_NAME)
def retention_job(now: datetime) -> dict:
    """Erase what `privacy.retention_days` lets go; a second run finds nothing."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415
    from elearn_plugin.privacy.retention import erase_expired  # noqa: PLC0415

    return erase_expired(get_policy(), now=now)
