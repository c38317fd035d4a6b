"""The month close's chunk task: one range of learners, judged or applied (ADR 0012).

Arguments are the close's id and the chunk's index (JSON integers, no personal data). The
task is acknowledged only after it ran (`acks_late`) and given back to the broker when its
worker dies (`reject_on_worker_lost`), so a killed worker's chunk runs again elsewhere; the
chunk's own row lock and done mark make a second run change nothing. Database errors
(a deadlock, a lost connection) are retried with jittered backoff.
"""

import functools
import logging

from celery import shared_task
from django.db import DatabaseError, transaction

from elearn_plugin.audit import acting_as

log = logging.getLogger(__name__)

TASK_NAME = "elearn.month_close_chunk"
SOFT_TIME_LIMIT = 300
TIME_LIMIT = 360


@shared_task(
    name=TASK_NAME,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def month_close_chunk(close_id: int, index: int) -> str:
    """Do the current step of one chunk, then move the close on (and send the next step)."""
    from elearn_plugin.month_close.models import CloseStatus, MonthClose  # noqa: PLC0415
    from elearn_plugin.month_close.runner import dispatch, step  # noqa: PLC0415
    from elearn_plugin.month_close.services import advance_once  # noqa: PLC0415
    from elearn_plugin.policy.runtime import file_digest, get_policy  # noqa: PLC0415
    from elearn_plugin.rules.periods import period_from_label  # noqa: PLC0415

    close = MonthClose.objects.filter(pk=int(close_id)).first()
    if close is None:
        log.warning("month close chunk for unknown close %s ignored", close_id)
        return "unknown"
    policy = get_policy()
    if close.status == CloseStatus.JUDGING and file_digest() != close.policy_hash:
        log.error(
            "month close %s: the policy file changed since the close began; chunk %s waits",
            close.period,
            index,
        )
        return "policy_changed"
    period = period_from_label(close.period, policy.tz)
    with acting_as(f"task:{TASK_NAME}"):
        outcome = step(close.pk, int(index), policy, period)
        close, moved_from = advance_once(close.pk, policy)
        # Only the task whose advance ended the judging sends the apply step, once.
        if moved_from is not None and close.status == CloseStatus.APPLYING:
            dispatch(close, stale_only=False)
    return outcome


def _send(close_id: int, indexes: list[int]) -> None:
    for index in indexes:
        try:
            month_close_chunk.apply_async(args=[close_id, index])
        except Exception:
            # The tick sends overdue chunks again.
            log.exception("could not send chunk %s of month close %s", index, close_id)


def send_chunks(close_id: int, indexes: list[int]) -> None:
    """Send these chunk tasks once the current transaction commits (their rows exist then)."""
    transaction.on_commit(functools.partial(_send, int(close_id), [int(i) for i in indexes]))
