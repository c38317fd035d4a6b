"""Running closes: every ended month in order, its chunks inline or as Celery tasks.

`close_through` is what the tick and `elearn_close_period` call. It closes each ended month
since the policy's `effective_from` that is not closed, oldest first, and stops at a month
the guard holds: a later month is never closed before an earlier one, since revocation
(P-23) counts the months before it. With `ELEARN_RULES_RUNNER = "inline"` the chunks run
here; with "celery" they are sent as `elearn.month_close_chunk` tasks (ids only) and the
last one to finish moves the close on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.core.batching import collector_paused
from elearn_plugin.month_close import chunks, services
from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.periods import Period, closed_months_between, period_from_label

log = logging.getLogger(__name__)

# A chunk task not done this long after it was sent is sent again (its worker may be gone).
STALE_AFTER = timedelta(minutes=10)
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class CloseState:
    """Where one month's close stands after a run."""

    period: str
    status: str
    learners: int
    warnings: int
    suspensions: int
    revocations: int
    policy_hash: str

    @classmethod
    def of(cls, close: MonthClose) -> CloseState:
        return cls(
            close.period,
            close.status,
            close.learners,
            close.warnings,
            close.suspensions,
            close.revocations,
            close.policy_hash,
        )


def months_to_close(policy: Policy, through: Period, now: datetime) -> list[Period]:
    """The ended months from the policy's `effective_from` up to `through`, oldest first."""
    months = closed_months_between(None, now, policy.tz, not_before=policy.effective_from)
    return [m for m in months if m.start_utc <= through.start_utc]


def target_month(label: str, policy: Policy, now: datetime) -> Period:
    """The month a label names, checked: a month, ended, not before the policy's start."""
    try:
        period = period_from_label(label, policy.tz)
    except ValueError as exc:
        raise services.CloseError(str(exc)) from None
    if period.kind != "month":
        raise services.CloseError(
            _("%(label)s is not a month (use e.g. 2026-10).") % {"label": label}
        )
    if period.end_utc > now:
        raise services.CloseError(_("%(label)s has not ended yet.") % {"label": label})
    first = policy.effective_from
    if (period.start_utc.astimezone(policy.tz).date().replace(day=1)) < first.replace(day=1):
        raise services.CloseError(
            _("%(label)s is before the policy's effective_from (%(first)s).")
            % {"label": label, "first": first.isoformat()}
        )
    return period


def step(close_id: int, index: int, policy: Policy, period: Period) -> str:
    """Do whatever step of one chunk its close is at (judge or apply)."""
    with collector_paused():
        outcome = chunks.judge_chunk(close_id, index, policy, period)
        if outcome == chunks.SKIPPED:
            outcome = chunks.apply_chunk(
                close_id, index, quota_email=_quota_email(close_id), tz=policy.tz
            )
    return outcome


def _quota_email(close_id: int) -> bool:
    return bool(
        MonthClose.objects.filter(pk=close_id).values_list("quota_email", flat=True).first()
    )


def run_inline(close: MonthClose, policy: Policy, period: Period) -> MonthClose:
    """Every pending chunk of the close in this process, until it is closed or held."""
    while True:
        close = services.advance(close.pk, policy)
        todo = chunks.pending(close)
        if not todo:
            return close
        if close.status == CloseStatus.APPLYING:
            chunks.before_applying()
        for index in todo:
            step(close.pk, index, policy, period)


def dispatch(close: MonthClose, *, stale_only: bool, now: datetime | None = None) -> int:
    """Send a chunk task for each pending chunk (only overdue ones with `stale_only`)."""
    from elearn_plugin.month_close.models import CloseChunk  # noqa: PLC0415
    from elearn_plugin.tasks.month_close import send_chunks  # noqa: PLC0415

    now = now or timezone.now()
    todo = chunks.pending(close)
    if stale_only:
        overdue = set(
            CloseChunk.objects.filter(close=close, index__in=todo)
            .exclude(dispatched_at__gt=now - STALE_AFTER)
            .values_list("index", flat=True)
        )
        todo = [index for index in todo if index in overdue]
    if todo and close.status == CloseStatus.APPLYING:
        chunks.before_applying()
    if todo:
        with transaction.atomic():
            services.mark_dispatched(close, todo, now)
            send_chunks(close.pk, todo)
    return len(todo)


def wait(close: MonthClose, timeout: float) -> MonthClose:
    """Poll until the close is closed or held, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while close.status not in (CloseStatus.CLOSED, CloseStatus.HELD):
        if time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
        close = MonthClose.objects.get(pk=close.pk)
    return close


def close_through(
    through: Period,
    policy: Policy,
    policy_hash: str,
    *,
    runner: str,
    now: datetime,
    confirm_actor=None,
    wait_seconds: float | None = None,
    stale_only: bool = False,
) -> list[CloseState]:
    """Close every unclosed month up to `through`, in order; stops at a held or running one.

    `confirm_actor` confirms a held month on the way (HR's `--confirm`). With the Celery
    runner, `wait_seconds` None sends the chunks and returns (the tick); a number waits.
    """
    states = []
    for period in months_to_close(policy, through, now):
        close = services.begin(period, policy, policy_hash, runner=runner)
        if close.status == CloseStatus.JUDGING and close.policy_hash != policy_hash:
            raise services.CloseError(
                _(
                    "The close of %(period)s began under another policy file (hash %(hash)s); "
                    "restore that file to finish it."
                )
                % {"period": period.label, "hash": close.policy_hash[:12]}
            )
        if close.status == CloseStatus.HELD and confirm_actor is not None:
            close = services.confirm(period.label, actor=confirm_actor)
        if runner == "celery":
            close = services.advance(close.pk, policy)
            dispatch(close, stale_only=stale_only, now=now)
            if wait_seconds is not None:
                close = wait(close, wait_seconds)
        else:
            close = run_inline(close, policy, period)
        states.append(CloseState.of(close))
        if close.status != CloseStatus.CLOSED:
            break
    return states
