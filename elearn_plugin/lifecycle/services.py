"""The writers of an employee's place in the organisation: transfer, departure, re-hire
(P-2, P-6, P-7, P-31, P-32).

Each takes a batch, changes it with a few statements per chunk in one transaction, records
every change with its actor, and sends its signal once after commit:

- **Transfer**: the membership closes in the old unit and opens in the new one at the
  effective instant; assignments, progress, standing and the month's facts are the
  learner's, so they move with them (the month close attributes each day to the unit of its
  membership); the job-role assignment rules re-run; both units' training contacts and HR
  get one hand-over message each (`handover`).
- **Departure**: the person is `departed`, their membership closed, a `freeze` imposed (the
  sign-in refuses it on every path, the middleware ends open sessions, the sanction's writer
  revokes tokens after commit), the password made unusable, their training-contact duties
  ended; every record is kept; the seat is free because seats count active people.
- **Re-hire**: the same person (never a duplicate) is active again in a unit, their
  departure's freeze lifted; a new password is HR's provisioning's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.lifecycle import handover
from elearn_plugin.lifecycle.signals import (
    employee_departed,
    employee_rehired,
    employee_transferred,
    send_after_commit,
)
from elearn_plugin.org.errors import OrgError
from elearn_plugin.org.hooks import apply_assignment_rules
from elearn_plugin.org.models import Membership, Person, TrainingContact
from elearn_plugin.org.people import move_units
from elearn_plugin.seats.queries import SeatsError, check_room

CHUNK = 1000
DEPARTURE_REASON = "departed"


class LifecycleError(ValueError):
    """Bad input to a lifecycle writer; nothing was changed."""


def _instant(when: datetime | None) -> datetime:
    if when is None:
        return timezone.now()
    if not isinstance(when, datetime) or not is_aware(when):
        raise LifecycleError(_("A time without a time zone was given."))
    return when


def _local_day(when: datetime) -> date:
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return when.astimezone(get_policy().tz).date()


def _ids(values: Sequence) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise LifecycleError(_("Learners must be given by user id.")) from None
    return ids


def _placements(rows: Sequence) -> dict[int, int]:
    """`{user id: unit id}` of `(user id, unit id)` pairs; one unit per person."""
    wanted: dict[int, int] = {}
    try:
        for user_id, unit_id in rows:
            if wanted.setdefault(int(user_id), int(unit_id)) != int(unit_id):
                raise LifecycleError(_("A learner was given two different units."))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, LifecycleError):
            raise
        raise LifecycleError(_("Give each learner as a pair of user id and unit id.")) from None
    return wanted


def _people(user_ids: list[int]) -> dict[int, tuple[str, int]]:
    """`{user id: (status, unit id)}`, locked; an id outside the organisation is refused."""
    found: dict[int, tuple[str, int]] = {}
    for chunk in chunked(user_ids, CHUNK):
        found.update(
            (uid, (status, unit))
            for uid, status, unit in Person.objects.select_for_update()
            .filter(user_id__in=chunk)
            .values_list("user_id", "status", "unit_id")
        )
    missing = set(user_ids) - set(found)
    if missing:
        raise LifecycleError(
            _("%(count)s of the accounts do not belong to the organisation.")
            % {"count": len(missing)}
        )
    return found


# --- transfer ------------------------------------------------------------------------------


def transfer_bulk(
    moves: Sequence[tuple[int, int]], when: datetime | None = None, *, actor=None
) -> list[int]:
    """Move active employees to new units at `when`; returns those who moved.

    A move to the unit the person is in already changes nothing (a repeated roster is
    harmless); a departed person is refused (a return is `rehire_bulk`).
    """
    when = _instant(when)
    who = audit.resolve(actor)
    wanted = _placements(moves)
    with transaction.atomic():
        people = _people(sorted(wanted))
        if any(status != Person.ACTIVE for status, _unit in people.values()):
            raise LifecycleError(_("A departed employee cannot be transferred; re-hire them."))
        _check_seats([(people[uid][1], unit) for uid, unit in wanted.items()])
        try:
            movers = move_units(list(wanted.items()), when, who)
        except OrgError as exc:
            raise LifecycleError(str(exc)) from exc
        apply_assignment_rules(movers, actor=who)
        moved = [(uid, people[uid][1], wanted[uid]) for uid in movers]
        handover.queue(moved, when, _local_day(when))
        send_after_commit(employee_transferred, movers, when)
    return movers


# --- departure -----------------------------------------------------------------------------


def depart_bulk(user_ids: Sequence[int], when: datetime | None = None, *, actor=None) -> list[int]:
    """Freeze the accounts of employees who left at `when`; returns those newly departed.

    Someone already departed is left as they are, so a repeated roster freezes nobody twice.
    """
    from elearn_plugin.standing.services import SanctionSpec, impose_bulk  # noqa: PLC0415

    when = _instant(when)
    who = audit.resolve(actor)
    ids = _ids(user_ids)
    # The day that ended at `when`: a departure at 00:00 after the last day is that day's.
    day = _local_day(when - timedelta(microseconds=1))
    with transaction.atomic():
        people = _people(ids)
        leaving = [uid for uid in ids if people[uid][0] == Person.ACTIVE]
        if not leaving:
            return []
        if Membership.objects.filter(
            user_id__in=leaving, open_flag=True, valid_from__gt=when
        ).exists():
            raise LifecycleError(_("A departure cannot be dated before the current membership."))
        for chunk in chunked(leaving, CHUNK):
            Person.objects.filter(user_id__in=chunk).update(
                status=Person.DEPARTED, left_on=day, updated_at=timezone.now()
            )
            Membership.objects.filter(user_id__in=chunk, open_flag=True).update(
                valid_to=when, open_flag=None
            )
            get_user_model().objects.filter(id__in=chunk).update(password=make_password(None))
        impose_bulk(
            [
                SanctionSpec(
                    user_id=uid,
                    kind="freeze",
                    reason_code=DEPARTURE_REASON,
                    source=f"departure:{uid}:{day.isoformat()}",
                    starts_at=when,
                )
                for uid in leaving
            ],
            actor=who,
        )
        _remove_contacts(leaving, who)
        audit.record_bulk(
            who,
            "person.departed",
            [
                (audit.user_target(uid), {"unit_id": people[uid][1], "left_on": day})
                for uid in leaving
            ],
        )
        handover.queue_frozen(leaving, day)
        send_after_commit(employee_departed, leaving, when)
    return leaving


def _remove_contacts(user_ids: list[int], who: audit.Actor) -> None:
    """A departed training contact no longer answers for a unit (P-7, P-31)."""
    rows = list(
        TrainingContact.objects.filter(user_id__in=user_ids).values_list("pk", "user_id", "unit_id")
    )
    if not rows:
        return
    TrainingContact.objects.filter(pk__in=[pk for pk, _u, _unit in rows]).delete()
    audit.record_bulk(
        who,
        "contact.removed",
        [(audit.user_target(uid), {"unit_id": unit}) for _pk, uid, unit in rows],
    )


# --- re-hire -------------------------------------------------------------------------------


def rehire_bulk(
    rows: Sequence[tuple[int, int]], when: datetime | None = None, *, actor=None
) -> list[int]:
    """Make departed employees active again in a unit at `when`; returns those re-hired.

    The same `Person` and account: their history, credits and sanctions stay theirs. The
    departure's freeze is lifted; other blocks (a revocation) stay until HR lifts them.
    """
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415
    from elearn_plugin.standing.services import lift_bulk  # noqa: PLC0415

    when = _instant(when)
    who = audit.resolve(actor)
    wanted = _placements(rows)
    day = _local_day(when)
    with transaction.atomic():
        people = _people(sorted(wanted))
        back = [uid for uid in sorted(wanted) if people[uid][0] == Person.DEPARTED]
        if not back:
            return []
        _check_seats([(None, wanted[uid]) for uid in back])
        for chunk in chunked(back, CHUNK):
            Person.objects.filter(user_id__in=chunk).update(
                status=Person.ACTIVE, hired_on=day, left_on=None, updated_at=timezone.now()
            )
        try:
            move_units([(uid, wanted[uid]) for uid in back], when, who)
        except OrgError as exc:
            raise LifecycleError(str(exc)) from exc
        freezes = Sanction.objects.filter(
            user_id__in=back, kind="freeze", reason_code=DEPARTURE_REASON, lifted_at__isnull=True
        ).values_list("pk", flat=True)
        lift_bulk(list(freezes), actor=who, reason="re-hired")
        audit.record_bulk(
            who,
            "person.rehired",
            [(audit.user_target(uid), {"unit_id": wanted[uid], "hired_on": day}) for uid in back],
        )
        apply_assignment_rules(back, actor=who)
        send_after_commit(employee_rehired, back, when)
    return back


def _check_seats(changes: Sequence[tuple[int | None, int]]) -> None:
    """Refuse moves and returns beyond a seat pool's count (P-2): `(unit left or None, unit
    joined)` per person; a move inside one pool needs no seat."""
    additions: dict[int, int] = {}
    for left, joined in changes:
        additions[joined] = additions.get(joined, 0) + 1
        if left is not None:
            additions[left] = additions.get(left, 0) - 1
    try:
        check_room(additions)
    except SeatsError as exc:
        raise LifecycleError(str(exc)) from exc
