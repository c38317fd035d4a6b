"""The writers of people and their memberships (P-1, P-2): `Person` and `Membership` rows.

Memberships keep the history of which unit a learner was in; `Person.unit` is the current one
and always equals the open membership's unit. Re-exported by `elearn_plugin.org.services`
(ADR 0001); provisioning builds on these writers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.org.errors import OrgError
from elearn_plugin.org.hooks import apply_assignment_rules
from elearn_plugin.org.models import JobRole, Membership, Person, Unit
from elearn_plugin.org.queries import PASSWORD_FLAG_KEY

CHUNK = 1000
# The names `person.updated` gives the fields it changed (the unit: `membership.changed`).
PERSON_FIELDS = {"name": "name", "job_role_id": "job_role"}


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return timezone.now()
    if not is_aware(when):
        raise OrgError(_("A time without a time zone was given."))
    return when


def set_unit(user_id: int, unit_id: int, when: datetime | None = None, *, actor=None) -> bool:
    """Move a learner to a unit at `when`: closes the open membership, opens the new one.

    Records `membership.changed` (target: the learner's account) if the learner moved.
    """
    return set_units_bulk([(user_id, unit_id)], when, actor=actor) == 1


def set_units_bulk(
    moves: Sequence[tuple[int, int]], when: datetime | None = None, *, actor=None
) -> int:
    """Bulk form of `set_unit`; returns how many learners changed unit.

    One `membership.changed` per learner who moved (none for those already there), written
    with one `record_bulk` per chunk (P-1, P-6, P-11); the movers' assignment rules are applied
    once for all of them, in the same transaction (P-14).
    """
    who = audit.resolve(actor)
    when = _aware(when)
    with transaction.atomic():
        movers = move_units(moves, when, who)
        apply_assignment_rules(movers, actor=who)
    return len(movers)


def move_units(moves: Sequence[tuple[int, int]], when: datetime, who: audit.Actor) -> list[int]:
    """The moves of `set_units_bulk`, inside the caller's transaction; returns the movers.

    Applies no assignment rules: the calling writer applies them once for everything it
    changed (`update_person`, provisioning), so that a learner is never assigned twice per call.
    """
    wanted: dict[int, int] = {}
    for user_id, unit_id in moves:
        if wanted.setdefault(int(user_id), int(unit_id)) != int(unit_id):
            raise OrgError(_("A learner was given two different units."))
    if not wanted:
        return []
    if Unit.objects.filter(id__in=set(wanted.values())).count() != len(set(wanted.values())):
        raise OrgError(_("The unit does not exist."))
    all_movers: list[int] = []
    user_ids = sorted(wanted)
    for chunk in chunked(user_ids, CHUNK):
        current = dict(
            Person.objects.select_for_update()
            .filter(user_id__in=chunk)
            .values_list("user_id", "unit_id")
        )
        missing = set(chunk) - set(current)
        if missing:
            raise OrgError(_("The account does not belong to the organisation."))
        opened = {
            uid: (valid_from, unit_id)
            for uid, valid_from, unit_id in Membership.objects.filter(
                user_id__in=chunk, open_flag=True
            ).values_list("user_id", "valid_from", "unit_id")
        }
        movers = [uid for uid in chunk if current[uid] != wanted[uid] or uid not in opened]
        if not movers:
            continue
        if any(opened[uid][0] > when for uid in movers if uid in opened):
            raise OrgError(_("A unit change cannot be dated before the current membership."))
        _refuse_overlap_after_departure([uid for uid in movers if uid not in opened], when)
        Membership.objects.filter(user_id__in=movers, open_flag=True).update(
            valid_to=when, open_flag=None
        )
        Membership.objects.bulk_create(
            [Membership(user_id=uid, unit_id=wanted[uid], valid_from=when) for uid in movers]
        )
        by_unit: dict[int, list[int]] = defaultdict(list)
        for uid in movers:
            by_unit[wanted[uid]].append(uid)
        for target, uids in by_unit.items():
            Person.objects.filter(user_id__in=uids).update(
                unit_id=target, updated_at=timezone.now()
            )
        audit.record_bulk(
            who,
            "membership.changed",
            [
                (
                    audit.user_target(uid),
                    {
                        "unit_id": wanted[uid],
                        # The unit of the membership closed here (None: there was none).
                        "old_unit_id": opened[uid][1] if uid in opened else None,
                        "starts_at": when,
                    },
                )
                for uid in movers
            ],
        )
        all_movers += movers
    return all_movers


def _refuse_overlap_after_departure(user_ids: list[int], when: datetime) -> None:
    """A learner without an open membership (departed: `left` closed it) may get a new one,
    but never overlapping the closed ones (P-1: one unit at a time). One query, and only when
    such learners move."""
    if user_ids and Membership.objects.filter(user_id__in=user_ids, valid_to__gt=when).exists():
        raise OrgError(_("A unit change cannot be dated before the current membership."))


def clear_must_change_password(user_id: int, *, actor=None) -> bool:
    """The learner chose their own password: stop sending them to the change page.

    Records `person.password_changed` (target: the account) when the handed-out password was
    still to be replaced; clearing a flag that is not set records nothing.
    """
    who = audit.resolve(actor)
    with transaction.atomic():
        updated = Person.objects.filter(user_id=user_id, must_change_password=True).update(
            must_change_password=False, updated_at=timezone.now()
        )
        if updated:
            audit.record(who, "person.password_changed", audit.user_target(user_id))
    cache.delete(PASSWORD_FLAG_KEY.format(user_id))
    return bool(updated)


def forget_password_flags(user_ids: Iterable[int]) -> None:
    """Drop cached password flags after a bulk change of `must_change_password`."""
    cache.delete_many([PASSWORD_FLAG_KEY.format(uid) for uid in user_ids])


def update_person(
    person_id: int,
    *,
    name: str | None = None,
    job_role_id: int | None = None,
    unit_id: int | None = None,
    when: datetime | None = None,
    actor=None,
) -> bool:
    """Change a person's name, job role or unit (the unit as `set_unit` moves it).

    Records `person.updated` with the changed fields' names (target: the account) and, for
    the unit, `membership.changed`; all in one transaction, nothing when nothing changed. A
    new job role or unit applies the assignment rules to the person once (P-14).
    """
    who = audit.resolve(actor)
    changed = False
    affected: list[int] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id=person_id).first()
        if person is None:
            raise OrgError(_("The person does not exist."))
        fields = {}
        if name is not None and name != person.name:
            if not name.strip():
                raise OrgError(_("A name is required."))
            fields["name"] = name
        if job_role_id is not None and job_role_id != person.job_role_id:
            if not JobRole.objects.filter(id=job_role_id).exists():
                raise OrgError(_("The job role does not exist."))
            fields["job_role_id"] = job_role_id
        if fields:
            audit.record(
                who,
                "person.updated",
                audit.user_target(person.user_id),
                {"changed_fields": [PERSON_FIELDS[field] for field in fields]},
            )
            if "job_role_id" in fields:
                affected.append(person.user_id)
            fields["updated_at"] = timezone.now()
            Person.objects.filter(id=person_id).update(**fields)
            changed = True
        if unit_id is not None and unit_id != person.unit_id:
            moved = move_units([(person.user_id, unit_id)], _aware(when), who)
            affected += moved
            changed = bool(moved) or changed
        # P-14: the new role's (or unit's) courses, once for this call.
        apply_assignment_rules(affected, actor=who)
    return changed
