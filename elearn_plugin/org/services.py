"""The only writers of the org domain (P-1), and the queries other domains scope by.

Units form a tree stored as a materialized path ('/1/5/9/'), so a subtree is one indexed
`path__startswith` query. Memberships keep the history of which unit a learner was in;
`Person.unit` is the current one and always equals the open membership's unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, F, Max, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.org.models import (
    PATH_MAX_LENGTH,
    JobRole,
    Membership,
    Person,
    TrainingContact,
    Unit,
)

if TYPE_CHECKING:
    from elearn_plugin.org.provisioning import ProvisionReport, ProvisionRow

CHUNK = 1000
_PASSWORD_FLAG_KEY = "elearn:org:must-change-password:{}"
_PASSWORD_FLAG_TTL = 300


class OrgError(ValueError):
    """Invalid organisation change; the message is safe to show (no personal data)."""


# ---------------------------------------------------------------------------- queries


def subtree_unit_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them."""
    ids = {int(unit_id) for unit_id in unit_ids}
    if not ids:
        return set()
    paths = sorted(Unit.objects.filter(id__in=ids).values_list("path", flat=True))
    # A path below another selected path adds nothing: keep the outermost ones only.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return set()
    query = Q()
    for root in roots:
        query |= Q(path__startswith=root)
    return set(Unit.objects.filter(query).values_list("id", flat=True))


def contact_unit_ids(user, *, leads_only: bool = False) -> set[int]:
    """Units (with their subtrees) that `user` covers as a training contact."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    contacts = TrainingContact.objects.filter(user_id=user.pk)
    if leads_only:
        contacts = contacts.filter(is_lead=True)
    return subtree_unit_ids(contacts.values_list("unit_id", flat=True))


def unit_id_of(user_id: int) -> int | None:
    """The learner's current unit, or None for an account outside the organisation."""
    return Person.objects.filter(user_id=user_id).values_list("unit_id", flat=True).first()


def units_without_contact() -> set[int]:
    """Units that no training contact covers, directly or through an ancestor (P-1)."""
    covered = subtree_unit_ids(TrainingContact.objects.values_list("unit_id", flat=True))
    return set(Unit.objects.exclude(id__in=covered).values_list("id", flat=True))


def must_change_password(user_id: int) -> bool:
    """Whether the account still has its provisioned password; cached, cleared on change."""
    key = _PASSWORD_FLAG_KEY.format(user_id)
    flag = cache.get(key)
    if flag is None:
        flag = Person.objects.filter(user_id=user_id, must_change_password=True).exists()
        cache.set(key, flag, _PASSWORD_FLAG_TTL)
    return bool(flag)


# ---------------------------------------------------------------------------- units


def create_unit(
    code: str,
    name: str,
    *,
    parent_id: int | None = None,
    kind: str = Unit.DEPARTMENT,
    travel_heavy: bool = False,
    actor=None,
) -> tuple[Unit, bool]:
    """Create a unit under `parent_id`; the same call again returns the existing unit."""
    if kind not in dict(Unit.KIND_CHOICES):
        raise OrgError(_("Unknown unit kind."))
    if not code or not name:
        raise OrgError(_("A unit needs a code and a name."))
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        same = (existing.name, existing.parent_id, existing.kind, existing.travel_heavy) == (
            name,
            parent_id,
            kind,
            travel_heavy,
        )
        if not same:
            raise OrgError(_("A unit with this code already exists with other values."))
        return existing, False
    with transaction.atomic():
        parent = None
        if parent_id is not None:
            parent = Unit.objects.select_for_update().filter(id=parent_id).first()
            if parent is None:
                raise OrgError(_("The parent unit does not exist."))
        unit = Unit.objects.create(
            code=code,
            name=name,
            parent=parent,
            kind=kind,
            travel_heavy=travel_heavy,
            depth=parent.depth + 1 if parent else 0,
        )
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        if len(unit.path) > PATH_MAX_LENGTH:
            raise OrgError(_("The unit tree is too deep."))
        Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit, True


def update_unit(
    unit_id: int,
    *,
    name: str | None = None,
    kind: str | None = None,
    travel_heavy: bool | None = None,
    actor=None,
) -> bool:
    """Change a unit's own attributes (not its place in the tree: see `move_unit`)."""
    unit = Unit.objects.filter(id=unit_id).first()
    if unit is None:
        raise OrgError(_("The unit does not exist."))
    if kind is not None and kind not in dict(Unit.KIND_CHOICES):
        raise OrgError(_("Unknown unit kind."))
    changes = {
        field: value
        for field, value in (("name", name), ("kind", kind), ("travel_heavy", travel_heavy))
        if value is not None and getattr(unit, field) != value
    }
    if not changes:
        return False
    if "name" in changes and not changes["name"]:
        raise OrgError(_("A unit needs a code and a name."))
    Unit.objects.filter(id=unit_id).update(**changes)
    return True


def move_unit(unit_id: int, new_parent_id: int | None, *, actor=None) -> bool:
    """Put a unit (with its subtree) under another parent; refuses to create a cycle."""
    with transaction.atomic():
        locked = Unit.objects.select_for_update().filter(
            id__in=[i for i in (unit_id, new_parent_id) if i is not None]
        )
        by_id = {unit.id: unit for unit in locked}
        unit = by_id.get(unit_id)
        if unit is None:
            raise OrgError(_("The unit does not exist."))
        if unit.parent_id == new_parent_id:
            return False
        parent = None
        if new_parent_id is not None:
            parent = by_id.get(new_parent_id)
            if parent is None:
                raise OrgError(_("The parent unit does not exist."))
            if parent.path.startswith(unit.path):
                raise OrgError(_("A unit cannot be moved under itself or one of its subunits."))
        old_prefix = unit.path
        new_prefix = f"{parent.path if parent else '/'}{unit.pk}/"
        depth_delta = (parent.depth + 1 if parent else 0) - unit.depth
        subtree = Unit.objects.filter(path__startswith=old_prefix)
        longest = subtree.aggregate(longest=Max(Length("path")))["longest"] or 0
        if longest - len(old_prefix) + len(new_prefix) > PATH_MAX_LENGTH:
            raise OrgError(_("The unit tree is too deep."))
        subtree.update(
            path=Concat(
                Value(new_prefix),
                Substr("path", len(old_prefix) + 1),
                output_field=CharField(),
            ),
            depth=F("depth") + depth_delta,
        )
        Unit.objects.filter(id=unit_id).update(parent_id=new_parent_id)
    return True


# ---------------------------------------------------------------------------- job roles


def upsert_job_role(code: str, name: str, *, actor=None) -> tuple[JobRole, bool]:
    """Create a job role or rename it; returns (role, created)."""
    if not code or not name:
        raise OrgError(_("A job role needs a code and a name."))
    role, created = JobRole.objects.get_or_create(code=code, defaults={"name": name})
    if not created and role.name != name:
        JobRole.objects.filter(pk=role.pk).update(name=name)
        role.name = name
    return role, created


# ---------------------------------------------------------------------------- contacts


def assign_contact(
    user_id: int, unit_id: int, *, is_lead: bool = False, actor=None
) -> tuple[TrainingContact, bool]:
    """Make a user a training contact of a unit (and its subtree); returns (contact, created)."""
    if not Unit.objects.filter(id=unit_id).exists():
        raise OrgError(_("The unit does not exist."))
    contact, created = TrainingContact.objects.get_or_create(
        user_id=user_id, unit_id=unit_id, defaults={"is_lead": is_lead}
    )
    if not created and contact.is_lead != is_lead:
        TrainingContact.objects.filter(pk=contact.pk).update(is_lead=is_lead)
        contact.is_lead = is_lead
    return contact, created


def remove_contact(user_id: int, unit_id: int, *, actor=None) -> bool:
    """Remove a training contact; returns whether one was removed."""
    deleted, _rows = TrainingContact.objects.filter(user_id=user_id, unit_id=unit_id).delete()
    return bool(deleted)


# ---------------------------------------------------------------------------- people


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return timezone.now()
    if not is_aware(when):
        raise OrgError(_("A time without a time zone was given."))
    return when


def set_unit(user_id: int, unit_id: int, when: datetime | None = None, *, actor=None) -> bool:
    """Move a learner to a unit at `when`: closes the open membership, opens the new one."""
    return set_units_bulk([(user_id, unit_id)], when, actor=actor) == 1


def set_units_bulk(
    moves: Sequence[tuple[int, int]], when: datetime | None = None, *, actor=None
) -> int:
    """Bulk form of `set_unit`; returns how many learners changed unit."""
    when = _aware(when)
    wanted: dict[int, int] = {}
    for user_id, unit_id in moves:
        if wanted.setdefault(int(user_id), int(unit_id)) != int(unit_id):
            raise OrgError(_("A learner was given two different units."))
    if not wanted:
        return 0
    if Unit.objects.filter(id__in=set(wanted.values())).count() != len(set(wanted.values())):
        raise OrgError(_("The unit does not exist."))
    changed = 0
    with transaction.atomic():
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
            opened = dict(
                Membership.objects.filter(user_id__in=chunk, open_flag=True).values_list(
                    "user_id", "valid_from"
                )
            )
            movers = [uid for uid in chunk if current[uid] != wanted[uid] or uid not in opened]
            if not movers:
                continue
            if any(opened[uid] > when for uid in movers if uid in opened):
                raise OrgError(_("A unit change cannot be dated before the current membership."))
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
            changed += len(movers)
    return changed


def clear_must_change_password(user_id: int) -> bool:
    """The learner chose their own password: stop sending them to the change page."""
    updated = Person.objects.filter(user_id=user_id, must_change_password=True).update(
        must_change_password=False, updated_at=timezone.now()
    )
    cache.delete(_PASSWORD_FLAG_KEY.format(user_id))
    return bool(updated)


def forget_password_flags(user_ids: Iterable[int]) -> None:
    """Drop cached password flags after a bulk change of `must_change_password`."""
    cache.delete_many([_PASSWORD_FLAG_KEY.format(uid) for uid in user_ids])


def update_person(
    person_id: int,
    *,
    name: str | None = None,
    job_role_id: int | None = None,
    unit_id: int | None = None,
    when: datetime | None = None,
    actor=None,
) -> bool:
    """Change a person's name, job role or unit (the unit through `set_unit`)."""
    person = Person.objects.filter(id=person_id).first()
    if person is None:
        raise OrgError(_("The person does not exist."))
    changed = False
    with transaction.atomic():
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
            fields["updated_at"] = timezone.now()
            Person.objects.filter(id=person_id).update(**fields)
            changed = True
        if unit_id is not None and unit_id != person.unit_id:
            changed = set_unit(person.user_id, unit_id, when, actor=actor) or changed
    return changed


def provision(
    rows: Sequence[ProvisionRow],
    *,
    update: bool,
    actor,
    dry_run: bool = False,
    password_sink=None,
    when: datetime | None = None,
) -> ProvisionReport:
    """Create or update learner accounts in bulk, all or nothing (P-2)."""
    from elearn_plugin.org import provisioning  # noqa: PLC0415  (provisioning uses this module)

    return provisioning.provision(
        rows,
        update=update,
        actor=actor,
        dry_run=dry_run,
        password_sink=password_sink,
        when=when,
    )
