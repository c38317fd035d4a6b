"""The data file's history of people: `hired`, `left` and `transfers` (P-1, P-6, P-14).

An organisation moved onto the platform is judged from its real history, so the file's dated
records must fit it: nothing of a person is dated before they were hired, and a transfer
falls between the hire and the departure. `check_file` adds a problem, with its position,
for each record that does not fit (run by `format.validate` once every section is read);
`check_recorded` does the same for what the database already holds of people whose hire date
the file moves later; `write` hands the history to the org domain's one writer
(`org.services.record_history`) and turns its conflicts back into positions in the file.

In a file that gives a person transfers, their `people` record's `unit` is the unit they
joined and the transfers are their whole unit history; without transfers, `unit` is their
current unit as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils.translation import gettext as _

from elearn_plugin.core.batching import chunked
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.loading.fields import Context
from elearn_plugin.loading.records import DataSet, PersonRecord, Problem, TransferRecord
from elearn_plugin.org import services as org
from elearn_plugin.org.history import day_start
from elearn_plugin.org.models import Person
from elearn_plugin.standing.models import Sanction

CHUNK = 1000


def _first_people(dataset: DataSet) -> dict[str, PersonRecord]:
    """Each employee's people record (a repeated one is reported by its section)."""
    people: dict[str, PersonRecord] = {}
    for person in dataset.people:
        if person.employee_id:
            people.setdefault(person.employee_id, person)
    return people


def transfers_by_person(dataset: DataSet) -> dict[str, list[tuple[int, TransferRecord]]]:
    """Each employee's transfers with their positions, in date order."""
    found: dict[str, list[tuple[int, TransferRecord]]] = defaultdict(list)
    for i, transfer in enumerate(dataset.transfers):
        if transfer.employee_id and transfer.on:
            found[transfer.employee_id].append((i, transfer))
    for items in found.values():
        items.sort(key=lambda item: item[1].on)
    return found


# --- the file against itself -------------------------------------------------------------


def check_file(dataset: DataSet, context: Context, problems: list[Problem]) -> None:
    """Records dated before their person was hired, and transfers that do not fit."""
    people = _first_people(dataset)
    hired = dict(context.known.hired_on)
    hired.update({e: p.hired_on for e, p in people.items() if p.hired_on})
    starts = {e: day_start(day, context.tz) for e, day in hired.items()}

    def before(section: str, field: str, rows: Iterable, when: Callable, due: bool = False) -> None:
        """A deadline on the hire's first moment is before it too: it ended before."""
        for i, rec in enumerate(rows):
            start, moment = starts.get(rec.employee_id), when(rec)
            if start and moment and (moment <= start if due else moment < start):
                problems.append(Problem(f"{section}[{i}].{field}", _dated(rec.employee_id, hired)))

    before("assignments", "due", dataset.assignments, lambda r: r.due_at, due=True)
    before("completions", "completed_at", dataset.completions, lambda r: r.completed_at)
    before("learning_time", "start", dataset.learning_time, lambda r: r.started_at)
    before("sanctions", "start", dataset.sanctions, lambda r: r.starts_at)
    for i, session in enumerate(dataset.classroom_sessions):
        for j, employee_id in enumerate(session.attendees):
            start = starts.get(employee_id)
            if start and session.started_at and session.started_at < start:
                problems.append(
                    Problem(f"classroom_sessions[{i}].attendees[{j}]", _dated(employee_id, hired))
                )
    for employee_id, items in transfers_by_person(dataset).items():
        _check_transfers(employee_id, items, people.get(employee_id), hired, problems)


def _dated(employee_id: str, hired: dict[str, date]) -> str:
    return _("is dated before employee %(id)s was hired (%(day)s).") % {
        "id": employee_id,
        "day": hired[employee_id].isoformat(),
    }


def _check_transfers(
    employee_id: str,
    items: list[tuple[int, TransferRecord]],
    person: PersonRecord | None,
    hired: dict[str, date],
    problems: list[Problem],
) -> None:
    """One person's transfers: after the hire, not after leaving, each to another unit."""
    first = items[0][0]
    if person is None:
        problems.append(
            Problem(
                f"transfers[{first}].employee_id",
                _(
                    "employee %(id)s has transfers but no record under people in this file "
                    "(it gives the unit they joined)."
                )
                % {"id": employee_id},
            )
        )
        return
    hire = hired.get(employee_id)
    if hire is None:
        problems.append(
            Problem(
                f"people[{person.index}].hired",
                _("is required when the file gives transfers of the person."),
            )
        )
    unit = person.unit
    for i, transfer in items:
        if hire and transfer.on <= hire:
            problems.append(
                Problem(
                    f"transfers[{i}].date",
                    _("must be after the day employee %(id)s was hired (%(day)s).")
                    % {"id": employee_id, "day": hire.isoformat()},
                )
            )
        if person.left_on and transfer.on > person.left_on:
            problems.append(
                Problem(
                    f"transfers[{i}].date",
                    _("is after employee %(id)s left (%(day)s).")
                    % {"id": employee_id, "day": person.left_on.isoformat()},
                )
            )
        if transfer.unit and transfer.unit == unit:
            problems.append(
                Problem(
                    f"transfers[{i}].unit",
                    _('employee %(id)s is already in unit "%(code)s" then.')
                    % {"id": employee_id, "code": unit},
                )
            )
        unit = transfer.unit


# --- the file against the database -------------------------------------------------------


def _recorded_kinds() -> list[tuple[type, str, str]]:
    """(model, its time field, the message naming the earliest such record) of what a
    person's records hold with a date."""
    return [
        (
            Assignment,
            "due_at",
            _("employee %(id)s: a recorded assignment is due %(at)s, before this hire date."),
        ),
        (
            CourseCompletion,
            "completed_at",
            _("employee %(id)s: a recorded completion is dated %(at)s, before this hire date."),
        ),
        (
            LearningActivity,
            "started_at",
            _("employee %(id)s: recorded learning starts %(at)s, before this hire date."),
        ),
        (
            Sanction,
            "starts_at",
            _("employee %(id)s: a recorded sanction starts %(at)s, before this hire date."),
        ),
    ]


def check_recorded(dataset: DataSet, tz: ZoneInfo) -> list[Problem]:
    """People of the database whose hire date the file sets or moves later: nothing recorded
    of them may be dated before it. A few queries per chunk of such people."""
    people = [p for p in _first_people(dataset).values() if p.hired_on]
    moved: dict[int, PersonRecord] = {}
    for chunk in chunked(people, CHUNK):
        by_id = {p.employee_id: p for p in chunk}
        for user_id, employee_id, recorded in Person.objects.filter(
            employee_id__in=list(by_id)
        ).values_list("user_id", "employee_id", "hired_on"):
            person = by_id[employee_id]
            if recorded is None or person.hired_on > recorded:
                moved[user_id] = person
    problems: list[Problem] = []
    for chunk in chunked(sorted(moved), CHUNK):
        for model, field, message in _recorded_kinds():
            earliest = (
                model.objects.filter(user_id__in=chunk)
                .values("user_id")
                .annotate(first=Min(field))
                .values_list("user_id", "first")
            )
            for user_id, first in earliest:
                person = moved[user_id]
                start = day_start(person.hired_on, tz)
                if first is not None and (first <= start if field == "due_at" else first < start):
                    problems.append(
                        Problem(
                            f"people[{person.index}].hired",
                            message % {"id": person.employee_id, "at": _shown(first, tz)},
                        )
                    )
    return problems


def _shown(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def provision_units(dataset: DataSet) -> dict[str, str]:
    """The unit to provision people with transfers in: a new one joins their `unit` (the
    history then moves them); one already recorded keeps their current unit, so that the
    history, not a transfer dated today, decides where they are."""
    moving = list(transfers_by_person(dataset))
    current: dict[str, str] = {}
    for chunk in chunked(moving, CHUNK):
        current.update(
            Person.objects.filter(employee_id__in=chunk).values_list("employee_id", "unit__code")
        )
    return current


# --- writing -----------------------------------------------------------------------------


def write(
    dataset: DataSet, tz: ZoneInfo, users: dict[str, int], unit_ids: dict[str, int]
) -> org.HistoryReport:
    """Record the file's history through `org.record_history`; returns its report, or
    raises `LoadProblems` with the positions of the records that contradict the database."""
    transfers = transfers_by_person(dataset)
    entries: list[org.HistoryEntry] = []
    where: dict[int, tuple[PersonRecord, list[int]]] = {}
    for employee_id, person in _first_people(dataset).items():
        items = transfers.get(employee_id, [])
        if not (person.hired_on or person.left_on or items):
            continue
        user_id = users[employee_id]
        entries.append(
            org.HistoryEntry(
                user_id,
                hired_on=person.hired_on,
                left_on=person.left_on,
                joined_unit_id=unit_ids[person.unit] if items else None,
                transfers=tuple(org.Transfer(t.on, unit_ids[t.unit]) for _i, t in items),
            )
        )
        where[user_id] = (person, [i for i, _t in items])
    try:
        return org.record_history(entries, tz=tz)
    except org.HistoryError as exc:
        raise LoadProblems([_position(p, where) for p in exc.problems]) from None
    except org.OrgError as exc:
        raise LoadProblems([Problem("people", str(exc))]) from None


def _position(problem: org.HistoryProblem, where: dict) -> Problem:
    person, transfer_positions = where[problem.user_id]
    if problem.part == "transfer" and problem.transfer is not None:
        return Problem(f"transfers[{transfer_positions[problem.transfer]}]", problem.message)
    return Problem(f"people[{person.index}].{problem.part}", problem.message)


class LoadProblems(ValueError):
    """Problems found while writing; the writer turns them into its `LoadError`."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
