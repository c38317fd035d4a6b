"""Bulk provisioning of learner accounts from an HR file (P-2): validate everything, then
write everything in one transaction, or write nothing.

A 20k-row file is checked with a few set queries (existing accounts and people fetched by
username / employee ID in chunks) and written with bulk inserts; passwords of new accounts
leave this module only through the caller's `password_sink`, never in a log or the report.
The file's format and the checks of a row alone are in `org.provisioning_rows`, the
passwords in `org.passwords`. The units the actor may provision in are the caller's `scope`
(`elearn_plugin.org.services.provision` decides it from the actor's roles).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.host.users import NewUser, UserChange, get_user_adapter
from elearn_plugin.org.errors import OrgError
from elearn_plugin.org.hooks import apply_assignment_rules
from elearn_plugin.org.models import JobRole, Membership, Person, Unit
from elearn_plugin.org.passwords import IssuedPassword, generate_password, prehash_passwords
from elearn_plugin.org.people import forget_password_flags, move_units
from elearn_plugin.org.provisioning_rows import (
    ProvisionRow,
    RowProblem,
    email_of,
    field_problems,
)
from elearn_plugin.seats.queries import SeatsError, check_room

CHUNK = 1000


@dataclass(frozen=True)
class RowChange:
    """An existing person whose row differs: the names of the fields that differ."""

    line: int
    fields: tuple[str, ...]


@dataclass
class ProvisionReport:
    """What an import did (or, with problems or a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class ProvisionAborted(Exception):
    """Raised inside the transaction to undo everything when the file has problems."""


# ---------------------------------------------------------------------------- checking


@dataclass
class _Plan:
    new: list[ProvisionRow] = field(default_factory=list)
    changed: list[tuple[ProvisionRow, dict, tuple[str, ...]]] = field(default_factory=list)
    unchanged: int = 0
    units: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)


def _plan(rows: Sequence[ProvisionRow], scope: Set[int] | None, report: ProvisionReport) -> _Plan:
    """Check every row against the file and the database; fill `report.problems`.

    `scope` None: every unit; else a row's unit (and the person's current one) must be in it.
    """
    problems = report.problems
    for row in rows:
        problems.extend(field_problems(row))

    for attr, fold in (("employee_id", str), ("username", str.casefold)):
        counts = Counter(fold(getattr(r, attr)) for r in rows if getattr(r, attr))
        for row in rows:
            value = getattr(row, attr)
            if value and counts[fold(value)] > 1:
                problems.append(
                    RowProblem(row.line, attr, _("Appears more than once in the file."))
                )
    email_counts = Counter(r.email.casefold() for r in rows if r.email)
    for row in rows:
        if row.email and email_counts[row.email.casefold()] > 1:
            problems.append(RowProblem(row.line, "email", _("Appears more than once in the file.")))

    units = dict(Unit.objects.filter(code__in={r.unit for r in rows}).values_list("code", "id"))
    roles = dict(
        JobRole.objects.filter(code__in={r.job_role for r in rows}).values_list("code", "id")
    )
    user_model = get_user_model()
    users: dict[str, dict] = {}
    for chunk in chunked({r.username for r in rows if r.username}, CHUNK):
        for u in user_model.objects.filter(username__in=chunk).values("id", "username", "email"):
            users[u["username"].casefold()] = u
    people_by_emp: dict[str, dict] = {}
    for chunk in chunked({r.employee_id for r in rows if r.employee_id}, CHUNK):
        for p in Person.objects.filter(employee_id__in=chunk).values(
            "id", "user_id", "employee_id", "name", "unit_id", "job_role_id", "status"
        ):
            people_by_emp[p["employee_id"]] = p
    people_by_user: dict[int, dict] = {}
    for chunk in chunked([u["id"] for u in users.values()], CHUNK):
        for p in Person.objects.filter(user_id__in=chunk).values("user_id", "employee_id"):
            people_by_user[p["user_id"]] = p
    email_owner: dict[str, int] = {}
    for chunk in chunked({email_of(r) for r in rows if r.username}, CHUNK):
        for uid, email in user_model.objects.filter(email__in=chunk).values_list("id", "email"):
            email_owner.setdefault(email.casefold(), uid)
    user_email = {
        uid: email
        for chunk in chunked({p["user_id"] for p in people_by_emp.values()}, CHUNK)
        for uid, email in user_model.objects.filter(id__in=chunk).values_list("id", "email")
    }

    plan = _Plan(units=units, roles=roles)
    for row in rows:
        row_problems: list[RowProblem] = []
        unit_id = units.get(row.unit)
        role_id = roles.get(row.job_role)
        if row.unit and unit_id is None:
            row_problems.append(
                RowProblem(row.line, "unit", _("Unknown unit code “{code}”.").format(code=row.unit))
            )
        if row.job_role and role_id is None:
            row_problems.append(
                RowProblem(
                    row.line,
                    "job_role",
                    _("Unknown job role code “{code}”.").format(code=row.job_role),
                )
            )
        person = people_by_emp.get(row.employee_id)
        user = users.get(row.username.casefold())
        email = email_of(row)
        if person is not None and (user is None or user["id"] != person["user_id"]):
            row_problems.append(
                RowProblem(
                    row.line, "employee_id", _("Already belongs to a person with another username.")
                )
            )
        elif person is None and user is not None:
            if user["id"] in people_by_user:
                message = _("Already taken by a person with another employee ID.")
            else:
                message = _("Already taken by an account outside the organisation.")
            row_problems.append(RowProblem(row.line, "username", message))
        owner = email_owner.get(email.casefold())
        if owner is not None and (person is None or owner != person["user_id"]):
            row_problems.append(
                RowProblem(row.line, "email", _("Already used by another account."))
            )
        if scope is not None:
            in_scope = unit_id in scope and (person is None or person["unit_id"] in scope)
            if not in_scope:
                row_problems.append(
                    RowProblem(row.line, "unit", _("Outside the units you are training lead of."))
                )
        if row_problems:
            problems.extend(row_problems)
            continue
        if person is None:
            plan.new.append(row)
            continue
        diff = []
        if person["name"] != row.name:
            diff.append("name")
        if user_email.get(person["user_id"], "") != email:
            diff.append("email")
        if person["unit_id"] != unit_id:
            diff.append("unit")
        if person["job_role_id"] != role_id:
            diff.append("job_role")
        if diff and person["status"] != Person.ACTIVE:
            # A departed person's row read again as it was changes nothing; a change to it
            # is the lifecycle's re-hire, not an import's (P-7).
            problems.append(RowProblem(row.line, "employee_id", _("This person has departed.")))
            continue
        if diff:
            target = dict(person, unit_id=unit_id, job_role_id=role_id, email=email)
            target["from_unit_id"] = person["unit_id"]  # for the seat check of a move
            plan.changed.append((row, target, tuple(diff)))
        else:
            plan.unchanged += 1

    problems.sort(key=lambda p: (p.line, p.field))
    return plan


def _seat_problems(plan: _Plan, update: bool) -> list[RowProblem]:
    """P-2: the new accounts, and people the import moves, must fit their units' seat pools
    (line 0: the file as a whole, since a pool is filled by many rows)."""
    additions = Counter(plan.units[row.unit] for row in plan.new)
    for _row, target, diff in plan.changed if update else ():
        if "unit" in diff:
            additions[target["unit_id"]] += 1
            additions[target["from_unit_id"]] -= 1
    try:
        check_room(additions)
    except SeatsError as exc:
        return [RowProblem(0, "unit", str(shortfall)) for shortfall in exc.shortfalls]
    return []


# ---------------------------------------------------------------------------- writing


# The names `person.updated` gives what an import changed on a person or their account; a
# unit change is recorded as `membership.changed` by `move_units` (as `set_units_bulk`).
UPDATED_FIELDS = {"name": "name", "email": "email", "job_role": "job_role"}


def _create(
    plan: _Plan, when: datetime, password_sink, prehashed: dict, who: audit.Actor
) -> list[int]:
    secrets_of = [prehashed.get(row.username.casefold()) for row in plan.new]
    issued = [
        IssuedPassword(row.employee_id, row.username, found[0] if found else generate_password())
        for row, found in zip(plan.new, secrets_of, strict=True)
    ]
    users = get_user_adapter().create_users_bulk(
        [
            NewUser(row.username, email_of(row), row.name, pw.password, found[1] if found else "")
            for row, pw, found in zip(plan.new, issued, secrets_of, strict=True)
        ]
    )
    people = [
        Person(
            user_id=user.pk,
            employee_id=row.employee_id,
            name=row.name,
            unit_id=plan.units[row.unit],
            job_role_id=plan.roles[row.job_role],
            must_change_password=True,
        )
        for row, user in zip(plan.new, users, strict=True)
    ]
    Person.objects.bulk_create(people, batch_size=CHUNK)
    Membership.objects.bulk_create(
        [Membership(user_id=p.user_id, unit_id=p.unit_id, valid_from=when) for p in people],
        batch_size=CHUNK,
    )
    user_ids = [user.pk for user in users]
    # Every row was inserted by this call: a taken key fails the whole import (no IGNORE).
    audit.record_bulk(
        who,
        "person.created",
        [
            (
                audit.user_target(person.user_id),
                {
                    "unit_id": person.unit_id,
                    "role_code": row.job_role,
                },
            )
            for row, person in zip(plan.new, people, strict=True)
        ],
    )
    audit.record_bulk(
        who, "person.password_issued", [(audit.user_target(uid), None) for uid in user_ids]
    )
    forget_password_flags(user_ids)
    if password_sink is not None:
        password_sink(issued)
    return user_ids


def _update(plan: _Plan, when: datetime, who: audit.Actor) -> list[int]:
    """Apply the changed rows; returns the learners whose job role or unit changed."""
    account_changes = [
        UserChange(target["user_id"], row.name, target["email"])
        for row, target, diff in plan.changed
        if "name" in diff or "email" in diff
    ]
    if account_changes:
        get_user_adapter().update_users_bulk(account_changes)
    now = timezone.now()
    people = [
        Person(
            id=target["id"],
            name=row.name,
            job_role_id=target["job_role_id"],
            updated_at=now,
        )
        for row, target, diff in plan.changed
        if "name" in diff or "job_role" in diff
    ]
    Person.objects.bulk_update(people, ["name", "job_role_id", "updated_at"], batch_size=CHUNK)
    audit.record_bulk(
        who,
        "person.updated",
        [
            (
                audit.user_target(target["user_id"]),
                {"changed_fields": [UPDATED_FIELDS[f] for f in diff if f in UPDATED_FIELDS]},
            )
            for _row, target, diff in plan.changed
            if any(f in UPDATED_FIELDS for f in diff)
        ],
    )
    moves = [(t["user_id"], t["unit_id"]) for _row, t, diff in plan.changed if "unit" in diff]
    moved = move_units(moves, when, who)
    return [t["user_id"] for _row, t, diff in plan.changed if "job_role" in diff] + moved


def provision(
    rows: Sequence[ProvisionRow],
    *,
    update: bool,
    actor,
    scope: Set[int] | None,
    dry_run: bool = False,
    password_sink: Callable[[list[IssuedPassword]], None] | None = None,
    when: datetime | None = None,
) -> ProvisionReport:
    """Create new accounts and (with `update`) apply changed rows; all or nothing.

    `scope` is the units the `actor` may provision in, None for every unit (HR, or `actor`
    None: the operator at the command line); `elearn_plugin.org.services.provision` decides
    it from the actor's roles. `actor` (None: the principal running now) is recorded on each
    audit event: `person.created` and `person.password_issued` per new account,
    `person.updated` and `membership.changed` per changed one, all written with the import in
    its transaction (a dry run or a file with problems writes none). The assignment rules
    are applied once, to every new person and every one whose job role or unit changed.
    `password_sink` receives the new accounts' passwords inside the transaction: if it
    fails, nothing is imported.
    """
    who = audit.resolve(actor)
    when = when or timezone.now()
    if not is_aware(when):
        raise OrgError(_("A time without a time zone was given."))
    rows = list(rows)
    report = ProvisionReport(dry_run=dry_run)
    prehashed = {} if dry_run else prehash_passwords(row.username for row in rows)
    try:
        with transaction.atomic():
            plan = _plan(rows, scope, report)
            if not report.problems:
                report.problems.extend(_seat_problems(plan, update))
            report.created = len(plan.new)
            report.unchanged = plan.unchanged
            report.changes = [RowChange(row.line, diff) for row, _t, diff in plan.changed]
            if update:
                report.updated = len(plan.changed)
            else:
                report.reported = len(plan.changed)
            if report.problems:
                report.created = report.updated = 0
            if report.problems or dry_run:
                raise ProvisionAborted
            affected: list[int] = []
            if plan.new:
                affected += _create(plan, when, password_sink, prehashed, who)
            if update and plan.changed:
                affected += _update(plan, when, who)
            # P-14: hired, or a new role or unit: the role's courses, once for the whole file.
            apply_assignment_rules(affected, actor=who)
            report.applied = True
    except ProvisionAborted:
        pass
    return report
