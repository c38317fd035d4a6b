"""The only writer of month closes: begin, advance, confirm a hold (ADR 0012).

A close moves `judging -> applying -> closed`, or `judging -> held` when the guard stops it,
then `held -> applying` once HR confirms. `advance` is the one place the status changes: it
locks the close row, and moves on only when every chunk of the current step is done, so
the last chunk to finish (in any worker, or the tick afterwards) closes the month, once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.month_close import chunks
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose
from elearn_plugin.month_close.registry import run_hooks
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.periods import Period

log = logging.getLogger(__name__)


class CloseError(ValueError):
    """A close that cannot be done as asked; nothing was changed."""


def begin(period: Period, policy: Policy, policy_hash: str, *, runner: str) -> MonthClose:
    """The close of `period`, created with its chunk plan if it does not exist yet."""
    found = MonthClose.objects.filter(period=period.label).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            close = MonthClose.objects.create(
                period=period.label,
                status=CloseStatus.JUDGING,
                policy_hash=policy_hash,
                runner=runner,
                decided_at=timezone.now(),
                quota_email=policy.quota.reminder_email,
            )
            close.chunk_count = chunks.plan(close, period)
            close.save(update_fields=["chunk_count"])
            audit.record(
                None,
                "month_close.started",
                close,
                {
                    "period_code": close.period,
                    "digest_key": policy_hash,
                    "chunk_count": close.chunk_count,
                },
            )
    except IntegrityError:
        # Another tick or command began the same month a moment ago: theirs stands.
        return MonthClose.objects.get(period=period.label)
    log.info("month close %s begun: %s chunks", close.period, close.chunk_count)
    return close


def guard_holds(policy: Policy, learners: int, sanctioned: int) -> bool:
    """Whether a close suspending or revoking `sanctioned` of `learners` must wait for HR:
    more than both the policy's share of the learners judged and its minimum count."""
    rule = policy.month_close
    return sanctioned > rule.guard_share * learners and sanctioned > rule.guard_min_count


def advance(close_id: int, policy: Policy | None) -> MonthClose:
    """Move the close on if its current step is complete; returns it as it now stands.

    `policy` is needed to end the judging step (the guard); None leaves a judging close as
    it is.
    """
    return advance_once(close_id, policy)[0]


def advance_once(close_id: int, policy: Policy | None) -> tuple[MonthClose, str | None]:
    """`advance`, and the status this call found under the lock when it moved the close
    (None when it did not): only the caller that moved it sends the next step's chunks."""
    with transaction.atomic():
        close = MonthClose.objects.select_for_update().get(pk=close_id)
        found = close.status
        if close.status == CloseStatus.JUDGING and policy is not None and not chunks.pending(close):
            _end_judging(close, policy)
        if close.status == CloseStatus.APPLYING and not chunks.pending(close):
            _close(close)
    return close, (found if close.status != found else None)


def _end_judging(close: MonthClose, policy: Policy) -> None:
    totals = CloseChunk.objects.filter(close=close).aggregate(
        learners=Sum("learners"),
        warnings=Sum("warnings"),
        suspensions=Sum("suspensions"),
        revocations=Sum("revocations"),
        sanctioned=Sum("sanctioned"),
    )
    for name, value in totals.items():
        setattr(close, name, value or 0)
    close.judged_at = timezone.now()
    if guard_holds(policy, close.learners, close.sanctioned):
        close.status = CloseStatus.HELD
        close.held_at = close.judged_at
        audit.record(
            None,
            "month_close.held",
            close,
            {
                "period_code": close.period,
                "count": close.learners,
                "sanctioned_count": close.sanctioned,
            },
        )
        log.warning(
            "month close %s held: %s of %s learners would be suspended or revoked",
            close.period,
            close.sanctioned,
            close.learners,
        )
    else:
        close.status = CloseStatus.APPLYING
    close.save()


def _close(close: MonthClose) -> None:
    close.status = CloseStatus.CLOSED
    close.closed_at = timezone.now()
    close.save(update_fields=["status", "closed_at"])
    audit.record(
        None,
        "month_close.closed",
        close,
        {
            "period_code": close.period,
            "count": close.learners,
            "warning_count": close.warnings,
            "suspension_count": close.suspensions,
            "revocation_count": close.revocations,
        },
    )
    run_hooks(close)
    log.info("month close %s closed", close.period)


def confirm(period_label: str, *, actor) -> MonthClose:
    """HR confirms a close the guard held: its sanctions are applied from now (P-33)."""
    who = audit.resolve(actor)
    with transaction.atomic():
        close = MonthClose.objects.select_for_update().filter(period=period_label).first()
        if close is None:
            raise CloseError(_("No close of %(period)s exists.") % {"period": period_label})
        if close.status != CloseStatus.HELD:
            raise CloseError(
                _("The close of %(period)s is not held (it is %(status)s).")
                % {"period": period_label, "status": close.get_status_display()}
            )
        close.status = CloseStatus.APPLYING
        close.confirmed_at = timezone.now()
        close.confirmed_by_id = who.user_id
        close.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit.record(who, "month_close.confirmed", close, {"period_code": close.period})
    log.info("month close %s confirmed by %s", close.period, who)
    return close


def mark_dispatched(close: MonthClose, indexes: list[int], now: datetime) -> None:
    """Record when chunk tasks were sent, so the tick re-sends only those long overdue."""
    CloseChunk.objects.filter(close=close, index__in=indexes).update(dispatched_at=now)
