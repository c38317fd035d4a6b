"""Writing a checked data file through the domains' services, in one transaction.

Every record maps to a natural key (a unit's code, a person's employee id, an assignment's
learner + course, a sanction's learner + kind + source …), so loading the same file again
creates nothing and changes nothing. A problem found while writing undoes everything. The
people's history (`hired`, `left`, `transfers`) is written right after the people, through
`loading.history`, so that the records after it are counted in the unit of their time.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from elearn_plugin.core.batching import chunked
from elearn_plugin.courses import services as courses
from elearn_plugin.courses.models import AssignmentSource, CompletionSource, CoursePolicy
from elearn_plugin.learning.models import ClassroomSession
from elearn_plugin.ledger.services import LedgerDataError
from elearn_plugin.loading import history
from elearn_plugin.loading.format import (
    SECTIONS,
    DataFileError,
    DataSet,
    Known,
    Problem,
    UnitRecord,
    read_file,
    validate,
)
from elearn_plugin.org import services as org
from elearn_plugin.org.models import JobRole, Person, Unit
from elearn_plugin.seats.queries import SeatsError, check_room

log = logging.getLogger(__name__)
CHUNK = 1000
IMPORT_PREFIX = "import:"


class LoadError(ValueError):
    """The file cannot be loaded; `problems` lists every reason with its position."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Abort(Exception):
    """Raised inside the transaction to undo a dry run."""


@dataclass
class LoadReport:
    """How many records of each section were new; zero everywhere on a repeated load."""

    created: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    applied: bool = False
    # People whose hire or leaving date or unit history changed (docs/data-format.md).
    history_changed: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def known_in_database() -> Known:
    """Codes and keys the file may refer to without defining them again."""
    return Known(
        units=frozenset(Unit.objects.values_list("code", flat=True)),
        job_roles=frozenset(JobRole.objects.values_list("code", flat=True)),
        employee_ids=frozenset(Person.objects.values_list("employee_id", flat=True)),
        course_keys=frozenset(CoursePolicy.objects.values_list("course_key", flat=True)),
        hired_on=dict(Person.objects.exclude(hired_on=None).values_list("employee_id", "hired_on")),
    )


def check_data(data: object, tz: ZoneInfo) -> DataSet:
    """Validate parsed data against itself and the database; LoadError lists every problem."""
    dataset, problems = validate(data, tz, known_in_database())
    if problems:
        raise LoadError(problems)
    return dataset


def load_file(path: str | Path, tz: ZoneInfo, *, dry_run: bool = False) -> LoadReport:
    """Read, check and load one file; all or nothing."""
    try:
        data = read_file(path)
    except DataFileError as exc:
        raise LoadError([Problem("(file)", str(exc))])
    return load_data(data, tz, dry_run=dry_run)


def load_data(data: object, tz: ZoneInfo, *, dry_run: bool = False) -> LoadReport:
    """Check then write parsed data in one transaction; with `dry_run` nothing stays."""
    report = LoadReport()
    try:
        with transaction.atomic():
            dataset = check_data(data, tz)
            _write(dataset, report, tz)
            if dry_run:
                raise _Abort
            report.applied = True
    except _Abort:
        pass
    log.info("Data load: %s records, %s new", sum(report.records.values()), report.total_created)
    return report


# --- writing ---------------------------------------------------------------------------


def _wrap(section: str, exc: Exception) -> LoadError:
    return LoadError([Problem(section, str(exc))])


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def _ordered_units(units: list[UnitRecord]) -> list[UnitRecord]:
    """Parents before children (the file may list them in any order)."""
    by_code = {u.code: u for u in units}
    done: set[str] = set()
    ordered: list[UnitRecord] = []

    def visit(unit: UnitRecord) -> None:
        if unit.code in done:
            return
        if unit.parent in by_code:
            visit(by_code[unit.parent])
        done.add(unit.code)
        ordered.append(unit)

    for unit in units:
        visit(unit)
    return ordered


def _write_units(units: list[UnitRecord]) -> int:
    created = 0
    ids = dict(Unit.objects.values_list("code", "id"))
    for rec in _ordered_units(units):
        parent_id = ids.get(rec.parent) if rec.parent else None
        existing = Unit.objects.filter(code=rec.code).first()
        if existing is None:
            unit, _new = org.create_unit(
                rec.code,
                rec.name,
                parent_id=parent_id,
                kind=rec.kind,
                travel_heavy=rec.travel_heavy,
            )
            ids[rec.code] = unit.pk
            created += 1
            continue
        org.update_unit(existing.pk, name=rec.name, kind=rec.kind, travel_heavy=rec.travel_heavy)
        if existing.parent_id != parent_id:
            org.move_unit(existing.pk, parent_id)
    return created


def _user_ids(employee_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(employee_ids))
    found: dict[str, int] = {}
    for chunk in chunked(wanted, CHUNK):
        found.update(
            Person.objects.filter(employee_id__in=chunk).values_list("employee_id", "user_id")
        )
    return found


def _write_people(dataset: DataSet) -> int:
    from elearn_plugin.org.provisioning import ProvisionRow  # noqa: PLC0415

    if not dataset.people:
        return 0
    before = set(_user_ids(p.employee_id for p in dataset.people))
    # People with transfers: their history, not a move dated today, sets their unit.
    units = history.provision_units(dataset)
    rows = [
        ProvisionRow(
            line=p.index,
            employee_id=p.employee_id,
            username=p.username,
            name=p.name,
            email=p.email,
            unit=units.get(p.employee_id, p.unit),
            job_role=p.job_role,
        )
        for p in dataset.people
    ]
    # P-2: the file's new people are created active; all of them fit their pools, or none.
    unit_ids = dict(Unit.objects.filter(code__in={r.unit for r in rows}).values_list("code", "id"))
    try:
        check_room(Counter(unit_ids[r.unit] for r in rows if r.employee_id not in before))
    except SeatsError as exc:
        raise LoadError([Problem("people", str(s)) for s in exc.shortfalls]) from None
    result = org.provision(rows, update=True, actor=None)
    if result.problems:
        raise LoadError(
            [
                Problem(
                    f"people[{p.line}].{p.field}" if p.field else f"people[{p.line}]", p.message
                )
                for p in result.problems
            ]
        )
    # Initial passwords given in the file (demo data): set on new accounts only, so that a
    # repeated load never resets a password the learner has changed since.
    new_with_password = [p for p in dataset.people if p.password and p.employee_id not in before]
    if new_with_password:
        ids = _user_ids(p.employee_id for p in new_with_password)
        by_password: dict[str, list[int]] = defaultdict(list)
        for person in new_with_password:
            by_password[person.password].append(ids[person.employee_id])
        user_model = get_user_model()
        for password, user_ids in by_password.items():
            hashed = make_password(password)
            for chunk in chunked(user_ids, CHUNK):
                user_model.objects.filter(pk__in=chunk).update(password=hashed)
    return result.created


def _freeze_leavers(dataset: DataSet, tz: ZoneInfo) -> None:
    """P-7: someone the file says has left is departed, their account frozen from the end of
    their last day, through the lifecycle's writer (once: a departed person is left alone)."""
    from elearn_plugin.lifecycle import services as lifecycle  # noqa: PLC0415

    by_day: dict = {}
    for person in dataset.people:
        if person.left_on:
            by_day.setdefault(person.left_on, []).append(person.employee_id)
    for day, employee_ids in sorted(by_day.items()):
        active = list(
            Person.objects.filter(employee_id__in=employee_ids, status=Person.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
        try:
            lifecycle.depart_bulk(active, end)
        except lifecycle.LifecycleError as exc:
            raise _wrap("people", exc)


def _write(dataset: DataSet, report: LoadReport, tz: ZoneInfo) -> None:
    created = report.created
    for name in SECTIONS:
        report.records[name] = len(getattr(dataset, name))

    try:
        created["units"] = _write_units(dataset.units)
        created["job_roles"] = sum(
            org.upsert_job_role(role.code, role.name)[1] for role in dataset.job_roles
        )
    except org.OrgError as exc:
        raise _wrap("units", exc)
    # P-1, P-6: nothing recorded of a person may predate the hire date the file gives.
    recorded = history.check_recorded(dataset, tz)
    if recorded:
        raise LoadError(recorded)
    created["people"] = _write_people(dataset)
    try:
        written = history.write(
            dataset,
            tz,
            _user_ids(
                [p.employee_id for p in dataset.people if p.hired_on or p.left_on]
                + [t.employee_id for t in dataset.transfers]
            ),
            dict(Unit.objects.values_list("code", "id")),
        )
    except history.LoadProblems as exc:
        raise LoadError(exc.problems)
    report.history_changed = written.changed
    if dataset.transfers:
        created["transfers"] = written.created
    _freeze_leavers(dataset, tz)

    referenced = (
        [c.employee_id for c in dataset.contacts]
        + [a.employee_id for a in dataset.assignments]
        + [c.employee_id for c in dataset.completions]
        + [t.employee_id for t in dataset.learning_time]
        + [e for s in dataset.classroom_sessions for e in s.attendees]
        + [s.employee_id for s in dataset.sanctions]
    )
    users = _user_ids(referenced)
    unit_ids = dict(Unit.objects.values_list("code", "id"))

    try:
        created["contacts"] = sum(
            org.assign_contact(users[c.employee_id], unit_ids[c.unit], is_lead=c.lead)[1]
            for c in dataset.contacts
        )
    except org.OrgError as exc:
        raise _wrap("contacts", exc)

    try:
        # The file's courses are already the service's CoursePolicySpec.
        created["courses"] = courses.save_course_policies_bulk(dataset.courses)
        created["assignments"] = courses.assign_bulk(
            [
                courses.AssignmentSpec(
                    users[a.employee_id],
                    a.course_key,
                    a.due_at,
                    AssignmentSource.IMPORT,
                    assigned_at=a.assigned_at,
                )
                for a in dataset.assignments
            ]
        )
        created["completions"] = courses.record_completions_bulk(
            [
                courses.CompletionSpec(
                    users[c.employee_id], c.course_key, c.completed_at, CompletionSource.IMPORT
                )
                for c in dataset.completions
            ]
        )
    except (courses.CourseDataError, LedgerDataError) as exc:
        raise _wrap("courses", exc)

    from elearn_plugin.learning import services as learning  # noqa: PLC0415

    try:
        created["learning_time"] = learning.record_activities_bulk(
            [
                learning.ActivitySpec(
                    user_id=users[t.employee_id],
                    kind=t.kind,
                    source_key=IMPORT_PREFIX
                    + f"{users[t.employee_id]}:"
                    + _digest(
                        t.course_key, t.kind, t.started_at.isoformat(), t.ended_at.isoformat()
                    ),
                    started_at=t.started_at,
                    ended_at=t.ended_at,
                    course_key=t.course_key,
                )
                for t in dataset.learning_time
            ]
        )
        created["classroom_sessions"] = 0
        for s in dataset.classroom_sessions:
            existed = ClassroomSession.objects.filter(session_key=s.key).exists()
            learning.record_classroom_session(
                learning.ClassroomSessionSpec(
                    session_key=s.key,
                    title=s.title,
                    instructor_name=s.instructor,
                    started_at=s.started_at,
                    duration_seconds=s.duration_minutes * 60,
                    unit_id=unit_ids[s.unit] if s.unit else None,
                    rating=s.rating,
                ),
                [users[e] for e in s.attendees],
            )
            created["classroom_sessions"] += 0 if existed else 1
    except learning.LearningDataError as exc:
        raise _wrap("learning_time", exc)

    from elearn_plugin.standing import services as standing  # noqa: PLC0415

    try:
        created["sanctions"] = standing.impose_bulk(
            [
                standing.SanctionSpec(
                    user_id=users[s.employee_id],
                    kind=s.kind,
                    reason_code=s.reason_code,
                    source=f"{IMPORT_PREFIX}{s.reason_code}:{s.starts_at.isoformat()}",
                    reason=s.reason,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                )
                for s in dataset.sanctions
            ]
        )
    except standing.SanctionError as exc:
        raise _wrap("sanctions", exc)
