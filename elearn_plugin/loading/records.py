"""What a checked data file holds: one record per line of a section, in file order.

A course is the courses service's own `CoursePolicySpec`, passed on as it is. The other
records name people, units and courses by the file's codes and ids; the writer turns them
into the services' specs once the ids of those rows are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from elearn_plugin.courses.services import CoursePolicySpec

CourseRecord = CoursePolicySpec


class DataFileError(ValueError):
    """The file cannot be read at all (not found, not YAML/JSON, duplicate keys)."""


@dataclass(frozen=True)
class Problem:
    """One bad record or field; `where` is its position such as `people[12].unit`."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    parent: str | None
    kind: str
    travel_heavy: bool


@dataclass(frozen=True)
class JobRoleRecord:
    code: str
    name: str


@dataclass(frozen=True)
class PersonRecord:
    index: int
    employee_id: str
    username: str
    name: str
    email: str
    unit: str
    job_role: str
    password: str | None
    # HR's dates (calendar days in the policy's zone); None: not given, the recorded one stays.
    hired_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True)
class TransferRecord:
    """From the day `on`, the employee is in `unit` (their history: `people[…].unit` is the
    unit they joined)."""

    employee_id: str
    unit: str
    on: date | None


@dataclass(frozen=True)
class ContactRecord:
    employee_id: str
    unit: str
    lead: bool


@dataclass(frozen=True)
class AssignmentRecord:
    employee_id: str
    course_key: str
    due_at: datetime
    assigned_at: datetime | None = None


@dataclass(frozen=True)
class CompletionRecord:
    employee_id: str
    course_key: str
    completed_at: datetime


@dataclass(frozen=True)
class LearningTimeRecord:
    employee_id: str
    course_key: str
    kind: str
    started_at: datetime
    ended_at: datetime


@dataclass(frozen=True)
class ClassroomSessionRecord:
    key: str
    title: str
    instructor: str
    unit: str | None
    started_at: datetime
    duration_minutes: int
    rating: Decimal | None
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class SanctionRecord:
    employee_id: str
    kind: str
    reason_code: str
    reason: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass
class DataSet:
    """A checked file: records in file order, ready for the writer."""

    units: list[UnitRecord] = field(default_factory=list)
    job_roles: list[JobRoleRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    transfers: list[TransferRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    courses: list[CoursePolicySpec] = field(default_factory=list)
    assignments: list[AssignmentRecord] = field(default_factory=list)
    completions: list[CompletionRecord] = field(default_factory=list)
    learning_time: list[LearningTimeRecord] = field(default_factory=list)
    classroom_sessions: list[ClassroomSessionRecord] = field(default_factory=list)
    sanctions: list[SanctionRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Known:
    """What the database already holds, so a file may refer to it without repeating it."""

    units: frozenset[str] = frozenset()
    job_roles: frozenset[str] = frozenset()
    employee_ids: frozenset[str] = frozenset()
    course_keys: frozenset[str] = frozenset()
    # Recorded hire dates by employee id: later files' records are checked against them.
    hired_on: Mapping[str, date] = field(default_factory=dict)
