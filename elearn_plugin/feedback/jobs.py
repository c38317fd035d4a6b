"""The feedback tick job and health hook (P-29): answered items close themselves after
`ELEARN_FEEDBACK_CLOSE_DAYS`; open items past their due time are a health problem HR sees
(`feedback_late:<count>`) until they are answered."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_health_problems, register_job

JOB_NAME = "feedback.close_answered"


@register_job(JOB_NAME)
def close_answered_job(now: datetime) -> dict:
    """Close the items answered long enough ago; a second run closes nothing."""
    from elearn_plugin.feedback.services import close_answered  # noqa: PLC0415

    return {"closed": close_answered(now)}


@register_health_problems
def late_feedback(now: datetime) -> list[str]:
    """One code with the number of open items past their due time, or nothing."""
    from elearn_plugin.feedback.services import late_items  # noqa: PLC0415

    count = late_items(now).count()
    return [f"feedback_late:{count}"] if count else []
