"""Applying a roster diff through the org and lifecycle writers, in bulk (P-2, P-6, P-7).

Called by `elearn_plugin.roster.services.sync_roster` inside its one transaction: every
change goes through the domain's own bulk writer (which audits it and applies the
assignment rules), grouped by effective instant, so the number of queries grows with the
number of chunks and distinct days, never with the number of people.

HR's dates are calendar days in the policy's zone: a hire, a return or a transfer takes
effect at the start of its day (`hired`, else today), a departure at the end of its `left`
day (00:00 of the next day there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from elearn_plugin.core.batching import chunked
from elearn_plugin.org.models import JobRole, Person, Unit
from elearn_plugin.org.provisioning_rows import ProvisionRow, RowProblem
from elearn_plugin.rules.roster import CurrentPerson, RosterDiff, RosterPerson

CHUNK = 1000


class RosterApplyError(Exception):
    """A change of the roster was refused while applying it; everything is rolled back.

    `problems` name the roster's lines (or record numbers) and fields, never values.
    """

    def __init__(self, message: str, problems: list[RowProblem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


@dataclass(frozen=True)
class Here:
    """The people of the organisation, loaded once for the whole sync."""

    people: dict[str, CurrentPerson]
    user_ids: dict[str, int]
    left_on: dict[str, date]

    @property
    def active_count(self) -> int:
        return sum(1 for p in self.people.values() if p.status == Person.ACTIVE)


def load_people() -> Here:
    """Every person's employee id, account, unit, job role, status and leaving day: one query."""
    people: dict[str, CurrentPerson] = {}
    user_ids: dict[str, int] = {}
    left_on: dict[str, date] = {}
    rows = Person.objects.values_list(
        "employee_id", "user_id", "unit__code", "job_role__code", "status", "left_on"
    ).order_by()
    for employee_id, user_id, unit, role, status, left in rows.iterator(chunk_size=CHUNK):
        people[employee_id] = CurrentPerson(unit=unit, job_role=role, status=status)
        user_ids[employee_id] = user_id
        if left is not None:
            left_on[employee_id] = left
    return Here(people, user_ids, left_on)


def unknown_codes(
    roster: Iterable[RosterPerson],
) -> tuple[dict[str, int], dict[str, int], list[RowProblem]]:
    """The roster's unit and job role ids by code, and its records naming unknown ones."""
    people = list(roster)
    units = dict(Unit.objects.filter(code__in={p.unit for p in people}).values_list("code", "id"))
    roles = dict(
        JobRole.objects.filter(code__in={p.job_role for p in people}).values_list("code", "id")
    )
    problems: list[RowProblem] = []
    for p in people:
        if p.unit not in units:
            problems.append(
                RowProblem(p.line, "unit", _("Unknown unit code “{code}”.").format(code=p.unit))
            )
        if p.job_role not in roles:
            problems.append(
                RowProblem(
                    p.line,
                    "job_role",
                    _("Unknown job role code “{code}”.").format(code=p.job_role),
                )
            )
    return units, roles, problems


def start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def end_of(day: date, tz: ZoneInfo) -> datetime:
    return start_of(day + timedelta(days=1), tz)


def _row(p: RosterPerson, **changes: str) -> ProvisionRow:
    values = {
        "line": p.line,
        "employee_id": p.employee_id,
        "username": p.username,
        "name": p.name,
        "email": p.email,
        "unit": p.unit,
        "job_role": p.job_role,
    }
    values.update(changes)
    return ProvisionRow(**values)


def _provision(rows: list[ProvisionRow], *, update: bool, when: datetime | None, actor) -> None:
    from elearn_plugin.org import services as org  # noqa: PLC0415

    report = org.provision(rows, update=update, actor=actor, when=when)
    if report.problems:
        raise RosterApplyError(
            _("{count} record(s) of the roster were refused; nothing was applied.").format(
                count=len({p.line for p in report.problems})
            ),
            report.problems,
        )


def apply_diff(
    diff: RosterDiff,
    here: Here,
    units: Mapping[str, int],
    *,
    today: date,
    tz: ZoneInfo,
    actor,
) -> None:
    """Write the diff: returns, departures, transfers, hires, then role changes.

    Must run inside the caller's transaction: a refusal raises and undoes everything.
    Returns come first so that a returning person's new role is applied to an active one.
    """
    from elearn_plugin.lifecycle import services as lifecycle  # noqa: PLC0415

    today_start = start_of(today, tz)
    by_day: dict[datetime, list[tuple[int, int]]] = defaultdict(list)
    for p in diff.returns:
        # HR may still give the first hire day: a return is dated by it only when it comes
        # after the leaving day recorded here, else it starts today.
        left = here.left_on.get(p.employee_id)
        later = p.hired is not None and (left is None or p.hired > left)
        when = start_of(p.hired, tz) if later else today_start
        by_day[when].append((here.user_ids[p.employee_id], units[p.unit]))
    for when, rows in sorted(by_day.items()):
        lifecycle.rehire_bulk(rows, when, actor=actor)

    leaving: dict[datetime, list[int]] = defaultdict(list)
    for p in diff.departures:
        when = end_of(p.left, tz) if p.left else today_start
        leaving[when].append(here.user_ids[p.employee_id])
    for when, user_ids in sorted(leaving.items()):
        lifecycle.depart_bulk(user_ids, when, actor=actor)

    if diff.transfers:
        moves = [(here.user_ids[p.employee_id], units[p.unit]) for p in diff.transfers]
        lifecycle.transfer_bulk(moves, today_start, actor=actor)

    _hire(diff, today=today, tz=tz, actor=actor)
    _change_roles(diff, here, actor=actor)


def _hire(diff: RosterDiff, *, today: date, tz: ZoneInfo, actor) -> None:
    """New accounts through provisioning, one call per hire day; `hired_on` is that day."""
    by_day: dict[date, list[RosterPerson]] = defaultdict(list)
    for p in diff.hires:
        by_day[p.hired or today].append(p)
    for day, people in sorted(by_day.items()):
        _provision([_row(p) for p in people], update=False, when=start_of(day, tz), actor=actor)
        for chunk in chunked([p.employee_id for p in people], CHUNK):
            Person.objects.filter(employee_id__in=chunk).update(hired_on=day)


def _change_roles(diff: RosterDiff, here: Here, *, actor) -> None:
    """New job roles through provisioning's update path (bulk, audited, rules applied once).

    The rows carry the person's own username, name and email, so only the role changes:
    the roster's other fields are not this sync's to overwrite.
    """
    changing = list(diff.role_changes) + [
        p for p in diff.returns if p.job_role != here.people[p.employee_id].job_role
    ]
    if not changing:
        return
    rows: list[ProvisionRow] = []
    for chunk in chunked(changing, CHUNK):
        own = {
            emp: (name, username, email)
            for emp, name, username, email in Person.objects.filter(
                employee_id__in=[p.employee_id for p in chunk]
            ).values_list("employee_id", "name", "user__username", "user__email")
        }
        for p in chunk:
            name, username, email = own[p.employee_id]
            rows.append(_row(p, name=name, username=username, email=email))
    _provision(rows, update=True, when=None, actor=actor)
