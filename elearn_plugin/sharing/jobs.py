"""The sharing tick job: evidence of shared use judged every tick, once (P-4, P-33)."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_job

JOB_NAME = "sharing.judge"


@register_job(JOB_NAME)
def judge_sharing_job(now: datetime) -> dict:
    """Record the incidents of the evidence not handled yet, per `sharing.action`."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415
    from elearn_plugin.sharing.services import judge_sharing  # noqa: PLC0415

    return judge_sharing(get_policy(), now=now)
