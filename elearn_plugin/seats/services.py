"""Setting seat pools (P-2) and reading the seat report; the only writer of `SeatPool`.

HR sets any pool. A training lead allocates seats of their own unit's pool to a sub-unit's
pool: the nearest pool above the sub-unit must be in the units they lead. Either way the
pool never drops below the seats it uses, and a nested pool grows only by its parent's free
seats, so every pool always holds what is counted in it. Each change is audited as
`seats.set` in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.org.models import Unit
from elearn_plugin.org.queries import contact_unit_ids
from elearn_plugin.permissions import Action, Role, UnitTarget, require, roles_of
from elearn_plugin.seats.models import SeatPool
from elearn_plugin.seats.queries import (
    PoolUsage,
    SeatsError,
    Shortfall,
    check_room,
    usage,
)

__all__ = [
    "PoolUsage",
    "SeatLine",
    "SeatsError",
    "Shortfall",
    "check_room",
    "seat_report",
    "set_seats",
]


@dataclass(frozen=True)
class SeatLine:
    """One line of the seat report."""

    unit_code: str
    seats: int
    used: int
    free: int
    parent_code: str | None


def seat_report() -> list[SeatLine]:
    """Every pool in tree order with its seats, used and free; two queries for any number."""
    pools = usage()
    return [
        SeatLine(
            p.unit_code,
            p.seats,
            p.used,
            p.free,
            pools[p.parent_path].unit_code if p.parent_path else None,
        )
        for p in pools.values()
    ]


def _authorise(actor, unit_id: int, parent: PoolUsage | None) -> None:
    """HR sets any pool; a training lead only a sub-unit's pool allocated from a pool of the
    units they lead (P-2, P-31). `actor` None is the operator at the command line (as HR)."""
    if actor is None:
        return
    require(actor, Action.ALLOCATE_SEATS, UnitTarget(unit_id))
    if Role.HR in roles_of(actor):
        return
    led = contact_unit_ids(actor, leads_only=True)
    if parent is None or parent.unit_id not in led:
        raise PermissionDenied(
            _("Only HR, or a training lead of a unit above it, may set this unit's seats.")
        )


def _check_count(seats: object) -> int:
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
        raise SeatsError(_("The number of seats must be a whole number, 0 or more."))
    return seats


def set_seats(unit_id: int, seats: int, *, actor, dry_run: bool = False) -> SeatPool:
    """Create or change the pool of `unit_id`; all checks and the audit in one transaction.

    Refused (`SeatsError`) when the unit would hold fewer seats than it uses, or when a
    nested pool would take more than its parent pool has free; `PermissionDenied` for an
    actor who may not set it. The same count again changes and records nothing. `dry_run`
    checks only (the admin form shows the refusal next to the field) and returns the pool
    unsaved.
    """
    seats = _check_count(seats)
    audit.resolve(actor)  # refuse a change nobody made before reading anything (ADR 0009)
    with transaction.atomic():
        unit = Unit.objects.filter(pk=unit_id).values("id", "code", "path").first()
        if unit is None:
            raise SeatsError(_("The unit does not exist."))
        before = usage(lock=True)
        after = usage(extra=(unit["id"], unit["code"], unit["path"], seats))
        mine = after[unit["path"]]
        parent = before.get(mine.parent_path) if mine.parent_path else None
        _authorise(actor, unit["id"], parent)
        previous = before[unit["path"]].seats if unit["path"] in before else None
        if previous == seats:
            return SeatPool.objects.get(unit_id=unit["id"])
        if seats < mine.used:
            raise SeatsError(
                _("Unit {code} uses {used} seats; its pool cannot be set to {seats}.").format(
                    code=unit["code"], used=mine.used, seats=seats
                )
            )
        if parent is not None:
            grown = after[parent.path].used - parent.used
            if grown > 0 and after[parent.path].used > parent.seats:
                message = _("Unit {code} has {free} free seats; {unit} asked for {asked} more.")
                raise SeatsError(
                    message.format(
                        code=parent.unit_code, free=parent.free, asked=grown, unit=unit["code"]
                    )
                )
        if dry_run:
            return SeatPool(unit_id=unit["id"], seats=seats)
        pool, _created = SeatPool.objects.update_or_create(
            unit_id=unit["id"], defaults={"seats": seats}
        )
        audit.record(
            actor,
            "seats.set",
            pool,
            {"unit_id": unit["id"], "seat_count": seats, "previous_count": previous},
        )
    return pool
