"""The HR roster against the organisation (P-2, P-6, P-7): what a sync would change, and when
a sync is too dangerous to apply without HR's confirmation.

Pure module (no Django): the roster and the current people come in as plain frozen data, the
diff goes out as plain data, so that the rules are tested at their edges without a database.
People are matched by employee id only: a username or name can change, an employee id
does not. A person absent from the roster is *missing*, never departed: only HR's
`status: left` freezes an account, so that a truncated export can never freeze people.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

ACTIVE = "active"
LEFT = "left"
ROSTER_STATUSES: tuple[str, ...] = (ACTIVE, LEFT)
# The status of a person here (`org.models.Person.status`).
HERE_ACTIVE = "active"
HERE_DEPARTED = "departed"

# Why the guard holds a sync (the codes are shown to HR and stored on the held sync).
HELD_DEPARTURES = "departures"
HELD_EMPTY = "empty"
HELD_TRUNCATED = "truncated"
HoldReason = Literal["departures", "empty", "truncated"]


@dataclass(frozen=True)
class RosterPerson:
    """One person as HR's system lists them; `line` is where (CSV line, or record number)."""

    employee_id: str
    username: str
    name: str
    email: str
    unit: str
    job_role: str
    status: str
    hired: date | None = None
    left: date | None = None
    line: int = 0


@dataclass(frozen=True)
class CurrentPerson:
    """A person of the organisation now: their unit and job role codes and their status."""

    unit: str
    job_role: str | None
    status: str


@dataclass(frozen=True)
class RosterDiff:
    """What applying the roster would do, each list sorted by employee id.

    `transfers` and `role_changes` hold active people only (a returning person gets the
    roster's unit and role with their return); `pending` lists people whose `left` day has
    not ended yet: they leave on a later sync. `missing` lists active people absent from the
    roster; nothing is done to them.
    """

    hires: tuple[RosterPerson, ...] = ()
    transfers: tuple[RosterPerson, ...] = ()
    departures: tuple[RosterPerson, ...] = ()
    role_changes: tuple[RosterPerson, ...] = ()
    returns: tuple[RosterPerson, ...] = ()
    missing: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    roster_count: int = 0
    unchanged_count: int = 0

    @property
    def changes(self) -> int:
        """How many changes the diff would apply (a person may count twice: move and role)."""
        return (
            len(self.hires)
            + len(self.transfers)
            + len(self.departures)
            + len(self.role_changes)
            + len(self.returns)
        )

    @property
    def empty(self) -> bool:
        return self.changes == 0


def compute_diff(
    roster: Iterable[RosterPerson], current: Mapping[str, CurrentPerson], today: date
) -> RosterDiff:
    """Compare the roster with the people here, by employee id.

    `today` is the calendar day in the policy's zone: a departure takes effect at the end of
    its `left` day, so one whose day has not ended (`left >= today`) is pending. A new
    employee id already `left` is ignored: there is no account to create or to freeze.
    """
    people = sorted(roster, key=lambda p: p.employee_id)
    listed = {p.employee_id for p in people}
    hires, transfers, departures, role_changes, returns, pending = [], [], [], [], [], []
    unchanged = 0
    for person in people:
        here = current.get(person.employee_id)
        leaving = person.status == LEFT
        due = leaving and (person.left is None or person.left < today)
        if here is None:
            if not leaving:
                hires.append(person)
            continue
        if here.status == HERE_DEPARTED:
            if not leaving:
                returns.append(person)
            else:
                unchanged += 1
            continue
        if due:
            departures.append(person)
            continue
        if leaving:
            pending.append(person.employee_id)
        changed = False
        if person.unit != here.unit:
            transfers.append(person)
            changed = True
        if person.job_role != here.job_role:
            role_changes.append(person)
            changed = True
        if not changed and not leaving:
            unchanged += 1
    missing = sorted(
        emp for emp, here in current.items() if here.status == HERE_ACTIVE and emp not in listed
    )
    return RosterDiff(
        hires=tuple(hires),
        transfers=tuple(transfers),
        departures=tuple(departures),
        role_changes=tuple(role_changes),
        returns=tuple(returns),
        missing=tuple(missing),
        pending=tuple(pending),
        roster_count=len(people),
        unchanged_count=unchanged,
    )


def guard(diff: RosterDiff, active_count: int, share: float, minimum: int) -> HoldReason | None:
    """Why the sync must wait for HR's confirmation, or None when it may apply.

    Held when it would freeze more than `max(minimum, share × active_count)` people (so a
    small organisation's few leavers are never held for the share alone), when the roster
    is empty, or when it lists fewer than `1 − share` of the active people (a truncated
    export: its missing people are not frozen, but its other changes are not trusted).
    """
    if diff.roster_count == 0:
        return HELD_EMPTY
    if len(diff.departures) > max(minimum, share * active_count):
        return HELD_DEPARTURES
    listed_active = active_count - len(diff.missing)
    if listed_active < (1 - share) * active_count:
        return HELD_TRUNCATED
    return None


def digest(roster: Iterable[RosterPerson]) -> str:
    """The SHA-256 of the roster's content, independent of order and of line numbers, so that
    the same roster fetched twice is recognised (a held sync is not recorded twice)."""
    rows = sorted(
        [
            p.employee_id,
            p.username,
            p.name,
            p.email,
            p.unit,
            p.job_role,
            p.status,
            p.hired.isoformat() if p.hired else "",
            p.left.isoformat() if p.left else "",
        ]
        for p in roster
    )
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
