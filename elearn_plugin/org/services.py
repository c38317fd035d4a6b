"""The only writers of the org domain (P-1), and the queries other domains scope by.

Units form a tree stored as a materialized path ('/1/5/9/'), so a subtree is one indexed
`path__startswith` query. This module writes units, job roles and training contacts; it
re-exports the reads (`org.queries`), the writers of people and memberships (`org.people`),
HR's history of them (`org.history`) and the error, so that ADR 0001's names are all found
here. Provisioning (`org.provisioning`) is given the units the actor may provision in by
`provision` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.org import provisioning
from elearn_plugin.org.errors import OrgError
from elearn_plugin.org.history import (
    HistoryEntry,
    HistoryError,
    HistoryProblem,
    HistoryReport,
    Transfer,
    record_history,
)
from elearn_plugin.org.models import PATH_MAX_LENGTH, JobRole, TrainingContact, Unit
from elearn_plugin.org.people import (
    clear_must_change_password,
    forget_password_flags,
    set_unit,
    set_units_bulk,
    update_person,
)
from elearn_plugin.org.provisioning import IssuedPassword, ProvisionReport, ProvisionRow
from elearn_plugin.org.queries import (
    contact_unit_ids,
    must_change_password,
    subtree_unit_ids,
    unit_id_of,
    units_without_contact,
)
from elearn_plugin.permissions import Role, roles_of

__all__ = [
    "HistoryEntry",
    "HistoryError",
    "HistoryProblem",
    "HistoryReport",
    "OrgError",
    "Transfer",
    "assign_contact",
    "clear_must_change_password",
    "contact_unit_ids",
    "create_unit",
    "forget_password_flags",
    "move_unit",
    "must_change_password",
    "provision",
    "record_history",
    "remove_contact",
    "set_unit",
    "set_units_bulk",
    "subtree_unit_ids",
    "unit_id_of",
    "units_without_contact",
    "update_person",
    "update_unit",
    "upsert_job_role",
]


CODE_MAX_LENGTH = 64  # `Unit.code` and `JobRole.code`


def _check_code(code: str, message: str) -> None:
    """A unit's or job role's code is a slug (as the admin form and the loader demand), so it
    is also a valid audit `_code`: a bad code is an `OrgError`, before anything is written."""
    if not code or len(code) > CODE_MAX_LENGTH:
        raise OrgError(message)
    try:
        validate_slug(code)
    except ValidationError:
        raise OrgError(message) from None


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
    """Create a unit under `parent_id`; the same call again returns the existing unit.

    Records `unit.created` (P-1, P-11); the same call again changes nothing and records nothing.
    """
    who = audit.resolve(actor)
    if kind not in dict(Unit.KIND_CHOICES):
        raise OrgError(_("Unknown unit kind."))
    if not code or not name:
        raise OrgError(_("A unit needs a code and a name."))
    _check_code(code, _("A unit code may hold letters, digits, hyphens and underscores only."))
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
        audit.record(
            who,
            "unit.created",
            unit,
            {"unit_code": unit.code, "parent_id": unit.parent_id, "kind_code": unit.kind},
        )
    return unit, True


def update_unit(
    unit_id: int,
    *,
    name: str | None = None,
    kind: str | None = None,
    travel_heavy: bool | None = None,
    actor=None,
) -> bool:
    """Change a unit's own attributes (not its place in the tree: see `move_unit`).

    Records `unit.updated` with the names of the fields that changed; no change, no event.
    """
    who = audit.resolve(actor)
    if kind is not None and kind not in dict(Unit.KIND_CHOICES):
        raise OrgError(_("Unknown unit kind."))
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(id=unit_id).first()
        if unit is None:
            raise OrgError(_("The unit does not exist."))
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
        audit.record(who, "unit.updated", unit, {"changed_fields": sorted(changes)})
    return True


def move_unit(unit_id: int, new_parent_id: int | None, *, actor=None) -> bool:
    """Put a unit (with its subtree) under another parent; refuses to create a cycle.

    Records one `unit.moved` for the unit (its subunits move with it, unrecorded).
    """
    who = audit.resolve(actor)
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
        audit.record(
            who, "unit.moved", unit, {"parent_id": new_parent_id, "old_parent_id": unit.parent_id}
        )
    return True


# ---------------------------------------------------------------------------- job roles


def upsert_job_role(code: str, name: str, *, actor=None) -> tuple[JobRole, bool]:
    """Create a job role or rename it; returns (role, created).

    Records `job_role.saved` when the role is created or renamed; no change, no event.
    """
    who = audit.resolve(actor)
    if not code or not name:
        raise OrgError(_("A job role needs a code and a name."))
    _check_code(code, _("A job role code may hold letters, digits, hyphens and underscores only."))
    with transaction.atomic():
        role, created = JobRole.objects.select_for_update().get_or_create(
            code=code, defaults={"name": name}
        )
        if not created and role.name == name:
            return role, False
        if not created:
            JobRole.objects.filter(pk=role.pk).update(name=name)
            role.name = name
        audit.record(who, "job_role.saved", role, {"role_code": role.code, "created": created})
    return role, created


# ---------------------------------------------------------------------------- contacts


def assign_contact(
    user_id: int, unit_id: int, *, is_lead: bool = False, actor=None
) -> tuple[TrainingContact, bool]:
    """Make a user a training contact of a unit (and its subtree); returns (contact, created).

    Records `contact.assigned` (target: the contact's account) when the contact is new or
    their lead flag changed; no change, no event.
    """
    who = audit.resolve(actor)
    if not Unit.objects.filter(id=unit_id).exists():
        raise OrgError(_("The unit does not exist."))
    with transaction.atomic():
        contact, created = TrainingContact.objects.select_for_update().get_or_create(
            user_id=user_id, unit_id=unit_id, defaults={"is_lead": is_lead}
        )
        if not created and contact.is_lead == is_lead:
            return contact, False
        if not created:
            TrainingContact.objects.filter(pk=contact.pk).update(is_lead=is_lead)
            contact.is_lead = is_lead
        audit.record(
            who,
            "contact.assigned",
            audit.user_target(user_id),
            {"unit_id": unit_id, "is_lead": is_lead, "created": created},
        )
    return contact, created


def remove_contact(user_id: int, unit_id: int, *, actor=None) -> bool:
    """Remove a training contact; returns whether one was removed.

    Records `contact.removed` (target: the contact's account); nothing to remove, no event.
    """
    who = audit.resolve(actor)
    with transaction.atomic():
        _total, deleted = TrainingContact.objects.filter(user_id=user_id, unit_id=unit_id).delete()
        if not deleted.get(TrainingContact._meta.label):
            return False
        audit.record(who, "contact.removed", audit.user_target(user_id), {"unit_id": unit_id})
    return True


# ---------------------------------------------------------------------------- provisioning


def _provisioning_scope(actor) -> set[int] | None:
    """The units `actor` may provision in: None (every unit) for HR and for the operator at
    the command line (`actor` None, who acts as HR), else the units they are training lead
    of (none for an inactive account)."""
    if actor is None or Role.HR in roles_of(actor):
        return None
    return contact_unit_ids(actor, leads_only=True) if getattr(actor, "is_active", False) else set()


def provision(
    rows: Sequence[ProvisionRow],
    *,
    update: bool,
    actor,
    dry_run: bool = False,
    password_sink: Callable[[list[IssuedPassword]], None] | None = None,
    when: datetime | None = None,
) -> ProvisionReport:
    """Create or update learner accounts in bulk, all or nothing (P-2).

    `actor` None is the principal running now (the command), who may provision in every
    unit; the audit events are written with the import and rolled back with it (a dry run,
    a file with problems: none).
    """
    audit.resolve(actor)  # refuse a change nobody made before reading anything (ADR 0009)
    return provisioning.provision(
        rows,
        update=update,
        actor=actor,
        scope=_provisioning_scope(actor),
        dry_run=dry_run,
        password_sink=password_sink,
        when=when,
    )
