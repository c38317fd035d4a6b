"""The only writer of the staff pages: a training contact reminds learners who are behind.

A reminder is one message per learner and day (its outbox key holds the local date), so a
contact who clicks twice, or two contacts of the same unit, send it once; the trail records
who reminded whom, in the same transaction (ADR 0001).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from elearn_plugin.audit import services as audit
from elearn_plugin.org.models import Person
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.permissions import ANY, Action, check, reach_of
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.rules.periods import month_of
from elearn_plugin.staff.unit_rows import Scope, iter_rows, needs_reminder

MAX_REMINDERS = 5000


class RemindError(ValueError):
    """A refused reminder: nothing was sent. `code` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def remind(actor, user_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Remind these learners of their month; returns how many reminders are new today.

    Every learner must be in the actor's reach (or nothing is sent: `out_of_scope`), active
    and behind (`unit_rows.needs_reminder`: this month's pace, or the month just closed);
    others are skipped, so a stale page never nags a learner who caught up since.
    """
    if not check(actor, Action.REMIND_LEARNER, ANY):
        raise RemindError("forbidden")
    ids = sorted({int(uid) for uid in user_ids})
    if not ids:
        raise RemindError("nobody")
    if len(ids) > MAX_REMINDERS:
        raise RemindError("too_many")
    now = now or timezone.now()
    policy = get_policy()
    month = month_of(now, policy.tz)
    units_of = dict(
        Person.objects.filter(user_id__in=ids, status=Person.ACTIVE).values_list(
            "user_id", "unit_id"
        )
    )
    if len(units_of) != len(ids):
        raise RemindError("unknown_learner")
    reach = reach_of(actor)
    if reach is not None and not set(units_of.values()) <= reach:
        raise RemindError("out_of_scope")
    scope = Scope(frozenset(units_of.values()), user_ids=frozenset(ids))
    rows = [row for row in iter_rows(scope, policy, month, now) if needs_reminder(row)]
    day = timezone.localdate(now, policy.tz).isoformat()
    key = "progress_reminder:{}:" + day
    with transaction.atomic():
        sent = set(
            OutboxMessage.objects.filter(
                key__in=[key.format(row["user_id"]) for row in rows]
            ).values_list("key", flat=True)
        )
        rows = [row for row in rows if key.format(row["user_id"]) not in sent]
        created = enqueue_bulk(
            [
                OutboxRow(
                    key=key.format(row["user_id"]),
                    message_type="progress_reminder",
                    user_id=row["user_id"],
                    context={
                        "period": month.label,
                        "completed": row["required_completed"],
                        "required": row["quota"],
                        "overdue": row["overdue_tasks"],
                    },
                )
                for row in rows
            ]
        )
        audit.record_bulk(
            actor,
            "learner.reminded",
            [
                (
                    audit.user_target(row["user_id"]),
                    {"period_code": month.label, "unit_id": units_of[row["user_id"]]},
                )
                for row in rows
            ],
        )
    return created
