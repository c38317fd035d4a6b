"""The data file: parsing (YAML or JSON, duplicate keys refused) and record-level checks.

Every problem names its position, e.g. `people[12].unit: unknown unit "X"`, so that an
operator can fix the whole file in one pass. Nothing here writes to the database; the
checks that need it (does this unit already exist?) read through `Known`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from elearn_plugin.courses.keys import parse_course_key

SECTIONS = (
    "units",
    "job_roles",
    "people",
    "contacts",
    "courses",
    "assignments",
    "completions",
    "learning_time",
    "classroom_sessions",
    "sanctions",
)
MAX_FILE_BYTES = 50 * 1024 * 1024
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,30}$")
EMPLOYEE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")
REASON_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
UNIT_KINDS = ("department", "subsidiary")
COURSE_KINDS = ("required", "elective")
COURSE_ORIGINS = ("internal", "external")
ACTIVITY_KINDS = ("video", "other")
SANCTION_KINDS = ("warning", "suspension", "revocation", "freeze")
MAX_ACTIVITY = timedelta(days=2)
MAX_SESSION_MINUTES = 24 * 60


class DataFileError(ValueError):
    """The file cannot be read at all (not found, not YAML/JSON, duplicate keys)."""


@dataclass(frozen=True)
class Problem:
    """One bad record or field; `where` is its position such as `people[12].unit`."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- records ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ContactRecord:
    employee_id: str
    unit: str
    lead: bool


@dataclass(frozen=True)
class CourseRecord:
    course_key: str
    title: str
    credits: Decimal
    kind: str
    origin: str


@dataclass(frozen=True)
class AssignmentRecord:
    employee_id: str
    course_key: str
    due_at: datetime


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
    contacts: list[ContactRecord] = field(default_factory=list)
    courses: list[CourseRecord] = field(default_factory=list)
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


# --- parsing ---------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.safe_load, except that a key given twice in one mapping is an error."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise DataFileError(
                _("line %(line)d: a mapping key must be a plain value.")
                % {"line": key_node.start_mark.line + 1}
            )
        if key in seen:
            raise DataFileError(
                _('line %(line)d: the key "%(key)s" is given twice (first on line %(first)d).')
                % {"line": key_node.start_mark.line + 1, "key": key, "first": seen[key]}
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise DataFileError(_('the key "%(key)s" is given twice.') % {"key": key})
        result[key] = value
    return result


def parse_text(text: str, kind: str) -> Any:
    """Parse YAML (`kind` "yaml") or JSON text; raises DataFileError."""
    if kind == "json":
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                _("line %(line)d: not valid JSON (%(error)s).")
                % {"line": exc.lineno, "error": exc.msg}
            )
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DataFileError(
            _("line %(line)d: not valid YAML (%(error)s).") % {"line": line, "error": exc.problem}
        )
    except yaml.YAMLError as exc:
        raise DataFileError(_("not valid YAML (%(error)s).") % {"error": type(exc).__name__})


def read_file(path: str | Path) -> Any:
    """Read a .yaml/.yml or .json file, chosen by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        kind = "yaml"
    elif suffix == ".json":
        kind = "json"
    else:
        raise DataFileError(_("The file name must end in .yaml, .yml or .json."))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DataFileError(_("The file is larger than 50 MB."))
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(_("The file does not exist."))
    except UnicodeDecodeError:
        raise DataFileError(_("The file is not UTF-8 text."))
    except OSError as exc:
        raise DataFileError(_("The file cannot be read (%(error)s).") % {"error": exc.strerror})
    return parse_text(text, kind)


# --- field checks ----------------------------------------------------------------------


class _Fields:
    """Reads one record's fields and collects problems under its position."""

    def __init__(self, where: str, raw: object, allowed: tuple[str, ...], problems: list):
        self.where = where
        self.problems = problems
        self.ok = True
        if not isinstance(raw, dict):
            self.fail("", _("must be a mapping of fields."))
            self.raw: dict = {}
            return
        self.raw = raw
        for name in raw:
            if name not in allowed:
                self.fail(
                    str(name),
                    _("unknown field (expected one of: %(fields)s).")
                    % {"fields": ", ".join(allowed)},
                )

    def fail(self, name: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(f"{self.where}.{name}" if name else self.where, message))

    def text(self, name: str, *, required: bool = True, max_length: int = 255) -> str:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, _("is required."))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(name, _("must be text."))
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.fail(name, _("is longer than %(limit)d characters.") % {"limit": max_length})
            return ""
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            self.fail(name, _("contains control characters."))
            return ""
        return text

    def pattern(self, name: str, regex: re.Pattern, hint: str, *, required: bool = True) -> str:
        value = self.text(name, required=required, max_length=255)
        if value and not regex.match(value):
            self.fail(name, hint)
            return ""
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.raw.get(name, default)
        if value is None:
            self.fail(name, _("is required."))
            return ""
        if value not in choices:
            self.fail(
                name,
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": str(value)[:40], "choices": ", ".join(choices)},
            )
            return ""
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name, False)
        if not isinstance(value, bool):
            self.fail(name, _("must be true or false."))
            return False
        return value

    def decimal(self, name: str, *, low: Decimal, high: Decimal, required: bool = True):
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, _("is required."))
            return None
        if isinstance(value, bool):
            self.fail(name, _("must be a number."))
            return None
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.fail(name, _("must be a number."))
            return None
        if (
            not number.is_finite()
            or not low <= number <= high
            or number != number.quantize(Decimal("0.01"))
        ):
            self.fail(
                name,
                _("must be a number from %(low)s to %(high)s with at most 2 decimals.")
                % {"low": low, "high": high},
            )
            return None
        return number

    def integer(self, name: str, *, low: int, high: int) -> int:
        value = self.raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(
                name,
                _("must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
            return 0
        return value

    def course_key(self, name: str) -> str:
        value = self.raw.get(name)
        try:
            return parse_course_key(value)
        except ValidationError as exc:
            self.fail(name, " ".join(exc.messages))
            return ""

    def when(self, name: str, tz: ZoneInfo, *, end_of_day: bool = False, required: bool = True):
        """A date-time; naive values are in the policy's zone, a bare date is its midnight
        (or, for deadlines, the end of that day). Returned in UTC."""
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, _("is required."))
            return None
        if isinstance(value, str):
            try:
                value = (
                    date.fromisoformat(value)
                    if len(value.strip()) == 10
                    else datetime.fromisoformat(value.strip())
                )
            except ValueError:
                value = None
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=tz)
        elif isinstance(value, date):
            day = value + timedelta(days=1) if end_of_day else value
            moment = datetime.combine(day, time.min, tzinfo=tz)
        else:
            self.fail(
                name,
                _("must be a date (2026-03-31) or a date and time (2026-03-31T16:30:00+08:00)."),
            )
            return None
        return moment.astimezone(ZoneInfo("UTC"))


def _section(data: dict, name: str, problems: list[Problem]) -> list:
    raw = data.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem(name, _("must be a list of records.")))
        return []
    return raw


def _duplicates(
    values: list[tuple[str, str]],
    field_name: str,
    section: str,
    problems: list[Problem],
    *,
    personal: bool = False,
) -> None:
    """Flag every record after the first that repeats a natural key.

    A personal value (a username, an email) is not repeated in the message: the record it
    repeats is named by its position instead (P-32).
    """
    first: dict[str, str] = {}
    for where, value in values:
        if not value:
            continue
        if value not in first:
            first[value] = where
            continue
        if personal:
            message = _("the same as %(first)s: each must be unique in %(section)s.") % {
                "first": f"{first[value]}.{field_name}",
                "section": section,
            }
        else:
            message = _('"%(value)s" is given twice in %(section)s.') % {
                "value": value[:80],
                "section": section,
            }
        problems.append(Problem(f"{where}.{field_name}", message))


# --- the whole file --------------------------------------------------------------------


def validate(
    data: object, tz: ZoneInfo, known: Known | None = None
) -> tuple[DataSet, list[Problem]]:
    """Check a parsed file; returns the records and every problem found (none: loadable)."""
    known = known or Known()
    problems: list[Problem] = []
    out = DataSet()
    if not isinstance(data, dict):
        return out, [
            Problem(
                "(file)",
                _("must be a mapping with the keys: %(keys)s.") % {"keys": ", ".join(SECTIONS)},
            )
        ]
    for key in data:
        if key not in SECTIONS:
            problems.append(
                Problem(
                    str(key),
                    _("unknown section (expected one of: %(keys)s).")
                    % {"keys": ", ".join(SECTIONS)},
                )
            )

    code_hint = _("must be 1-64 letters A-Z, digits, _ or -.")
    emp_hint = _("must be letters A-Z, digits and . _ / - (starting with a letter or digit).")

    # units
    unit_rows = []
    for i, raw in enumerate(_section(data, "units", problems)):
        f = _Fields(
            f"units[{i}]", raw, ("code", "name", "parent", "kind", "travel_heavy"), problems
        )
        rec = UnitRecord(
            code=f.pattern("code", CODE_RE, code_hint),
            name=f.text("name", max_length=200),
            parent=f.pattern("parent", CODE_RE, code_hint, required=False) or None,
            kind=f.choice("kind", UNIT_KINDS, default="department"),
            travel_heavy=f.flag("travel_heavy"),
        )
        unit_rows.append((f, rec))
    _duplicates([(f.where, r.code) for f, r in unit_rows], "code", "units", problems)
    unit_codes = {r.code for _f, r in unit_rows if r.code} | known.units
    parents = {r.code: r.parent for _f, r in unit_rows if r.code}
    for f, rec in unit_rows:
        if rec.parent and rec.parent not in unit_codes:
            f.fail("parent", _('unknown unit "%(code)s".') % {"code": rec.parent})
        elif rec.parent:
            seen, cursor = {rec.code}, rec.parent
            while cursor in parents:
                if cursor in seen:
                    f.fail("parent", _("the units form a cycle."))
                    break
                seen.add(cursor)
                cursor = parents[cursor]
        out.units.append(rec)

    # job roles
    role_rows = []
    for i, raw in enumerate(_section(data, "job_roles", problems)):
        f = _Fields(f"job_roles[{i}]", raw, ("code", "name"), problems)
        rec = JobRoleRecord(f.pattern("code", CODE_RE, code_hint), f.text("name", max_length=200))
        role_rows.append((f, rec))
        out.job_roles.append(rec)
    _duplicates([(f.where, r.code) for f, r in role_rows], "code", "job_roles", problems)
    role_codes = {r.code for _f, r in role_rows if r.code} | known.job_roles

    # people
    people_rows = []
    for i, raw in enumerate(_section(data, "people", problems)):
        f = _Fields(
            f"people[{i}]",
            raw,
            ("employee_id", "username", "name", "email", "unit", "job_role", "password"),
            problems,
        )
        rec = PersonRecord(
            index=i,
            employee_id=f.pattern("employee_id", EMPLOYEE_ID_RE, emp_hint),
            username=f.pattern(
                "username",
                USERNAME_RE,
                _("must be 2-30 letters A-Z, digits and . _ @ + - only."),
            ),
            name=f.text("name", max_length=100),
            email=f.text("email", required=False, max_length=254),
            unit=f.text("unit", max_length=64),
            job_role=f.text("job_role", max_length=64),
            password=f.text("password", required=False, max_length=128) or None,
        )
        if rec.email:
            try:
                validate_email(rec.email)
            except ValidationError:
                f.fail("email", _("is not a valid email address."))
        if rec.unit and rec.unit not in unit_codes:
            f.fail("unit", _('unknown unit "%(code)s".') % {"code": rec.unit[:64]})
        if rec.job_role and rec.job_role not in role_codes:
            f.fail("job_role", _('unknown job role "%(code)s".') % {"code": rec.job_role[:64]})
        if rec.password is not None and len(rec.password) < 8:
            f.fail("password", _("must have at least 8 characters."))
        people_rows.append((f, rec))
        out.people.append(rec)
    _duplicates(
        [(f.where, r.employee_id) for f, r in people_rows], "employee_id", "people", problems
    )
    _duplicates(
        [(f.where, r.username.casefold()) for f, r in people_rows],
        "username",
        "people",
        problems,
        personal=True,
    )
    _duplicates(
        [(f.where, r.email.casefold()) for f, r in people_rows],
        "email",
        "people",
        problems,
        personal=True,
    )
    employees = {r.employee_id for _f, r in people_rows if r.employee_id} | known.employee_ids

    def employee(f: _Fields) -> str:
        value = f.pattern("employee_id", EMPLOYEE_ID_RE, emp_hint)
        if value and value not in employees:
            f.fail("employee_id", _('unknown employee "%(id)s".') % {"id": value})
        return value

    def unit_ref(f: _Fields, name: str, *, required: bool) -> str:
        value = f.text(name, required=required, max_length=64)
        if value and value not in unit_codes:
            f.fail(name, _('unknown unit "%(code)s".') % {"code": value})
        return value

    # contacts
    contact_rows = []
    for i, raw in enumerate(_section(data, "contacts", problems)):
        f = _Fields(f"contacts[{i}]", raw, ("employee_id", "unit", "lead"), problems)
        rec = ContactRecord(employee(f), unit_ref(f, "unit", required=True), f.flag("lead"))
        contact_rows.append((f, rec))
        out.contacts.append(rec)
    _duplicates(
        [(f.where, f"{r.employee_id} @ {r.unit}") for f, r in contact_rows],
        "unit",
        "contacts",
        problems,
    )

    # courses
    course_rows = []
    for i, raw in enumerate(_section(data, "courses", problems)):
        f = _Fields(
            f"courses[{i}]", raw, ("course_key", "title", "credits", "kind", "origin"), problems
        )
        rec = CourseRecord(
            course_key=f.course_key("course_key"),
            title=f.text("title"),
            credits=f.decimal("credits", low=Decimal("0"), high=Decimal("9999.99")),
            kind=f.choice("kind", COURSE_KINDS),
            origin=f.choice("origin", COURSE_ORIGINS),
        )
        course_rows.append((f, rec))
        out.courses.append(rec)
    _duplicates(
        [(f.where, r.course_key) for f, r in course_rows], "course_key", "courses", problems
    )
    courses = {r.course_key for _f, r in course_rows if r.course_key} | known.course_keys

    def course_ref(f: _Fields, *, required: bool = True) -> str:
        if not required and f.raw.get("course_key") in (None, ""):
            return ""
        value = f.course_key("course_key")
        if value and value not in courses:
            f.fail(
                "course_key", _('unknown course "%(key)s" (add it under courses).') % {"key": value}
            )
        return value

    # assignments
    assign_rows = []
    for i, raw in enumerate(_section(data, "assignments", problems)):
        f = _Fields(f"assignments[{i}]", raw, ("employee_id", "course_key", "due"), problems)
        rec = AssignmentRecord(employee(f), course_ref(f), f.when("due", tz, end_of_day=True))
        assign_rows.append((f, rec))
        out.assignments.append(rec)
    _duplicates(
        [(f.where, f"{r.employee_id} {r.course_key}") for f, r in assign_rows],
        "course_key",
        "assignments",
        problems,
    )

    # completions
    completion_rows = []
    for i, raw in enumerate(_section(data, "completions", problems)):
        f = _Fields(
            f"completions[{i}]", raw, ("employee_id", "course_key", "completed_at"), problems
        )
        rec = CompletionRecord(employee(f), course_ref(f), f.when("completed_at", tz))
        completion_rows.append((f, rec))
        out.completions.append(rec)
    _duplicates(
        [(f.where, f"{r.employee_id} {r.course_key}") for f, r in completion_rows],
        "course_key",
        "completions",
        problems,
    )

    # learning time
    time_rows = []
    for i, raw in enumerate(_section(data, "learning_time", problems)):
        f = _Fields(
            f"learning_time[{i}]",
            raw,
            ("employee_id", "course_key", "kind", "start", "end"),
            problems,
        )
        rec = LearningTimeRecord(
            employee_id=employee(f),
            course_key=course_ref(f, required=False),
            kind=f.choice("kind", ACTIVITY_KINDS, default="video"),
            started_at=f.when("start", tz),
            ended_at=f.when("end", tz),
        )
        if rec.started_at and rec.ended_at:
            if rec.ended_at <= rec.started_at:
                f.fail("end", _("must be after start."))
            elif rec.ended_at - rec.started_at > MAX_ACTIVITY:
                f.fail("end", _("an activity may last at most 2 days."))
        time_rows.append((f, rec))
        out.learning_time.append(rec)
    _duplicates(
        [
            (f.where, f"{r.employee_id} {r.course_key} {r.kind} {r.started_at} {r.ended_at}")
            for f, r in time_rows
        ],
        "start",
        "learning_time",
        problems,
    )

    # classroom sessions
    session_rows = []
    for i, raw in enumerate(_section(data, "classroom_sessions", problems)):
        f = _Fields(
            f"classroom_sessions[{i}]",
            raw,
            (
                "key",
                "title",
                "instructor",
                "unit",
                "start",
                "duration_minutes",
                "rating",
                "attendees",
            ),
            problems,
        )
        attendees_raw = f.raw.get("attendees", [])
        attendees: list[str] = []
        if not isinstance(attendees_raw, list):
            f.fail("attendees", _("must be a list of employee ids."))
        else:
            for j, emp in enumerate(attendees_raw):
                value = (
                    str(emp).strip()
                    if isinstance(emp, str | int) and not isinstance(emp, bool)
                    else ""
                )
                if not value or value not in employees:
                    f.fail(f"attendees[{j}]", _('unknown employee "%(id)s".') % {"id": value[:64]})
                elif value in attendees:
                    f.fail(f"attendees[{j}]", _('"%(id)s" is given twice.') % {"id": value})
                else:
                    attendees.append(value)
        rec = ClassroomSessionRecord(
            key=f.pattern(
                "key",
                re.compile(r"^[A-Za-z0-9_.:-]{1,150}$"),
                _("must be 1-150 letters A-Z, digits and . _ : - only."),
            ),
            title=f.text("title"),
            instructor=f.text("instructor", max_length=200),
            unit=unit_ref(f, "unit", required=False) or None,
            started_at=f.when("start", tz),
            duration_minutes=f.integer("duration_minutes", low=1, high=MAX_SESSION_MINUTES),
            rating=f.decimal("rating", low=Decimal("0"), high=Decimal("5"), required=False),
            attendees=tuple(attendees),
        )
        session_rows.append((f, rec))
        out.classroom_sessions.append(rec)
    _duplicates([(f.where, r.key) for f, r in session_rows], "key", "classroom_sessions", problems)

    # sanctions
    for i, raw in enumerate(_section(data, "sanctions", problems)):
        f = _Fields(
            f"sanctions[{i}]",
            raw,
            ("employee_id", "kind", "reason_code", "reason", "start", "end"),
            problems,
        )
        rec = SanctionRecord(
            employee_id=employee(f),
            kind=f.choice("kind", SANCTION_KINDS),
            reason_code=f.pattern(
                "reason_code", REASON_CODE_RE, _("must be a short lower-case code such as sharing.")
            ),
            reason=f.text("reason", required=False, max_length=1000),
            starts_at=f.when("start", tz),
            ends_at=f.when("end", tz, required=False),
        )
        if rec.kind == "suspension" and rec.ends_at is None and "end" not in f.raw:
            f.fail("end", _("a suspension needs an end."))
        if rec.kind in ("revocation", "freeze") and f.raw.get("end") is not None:
            f.fail("end", _("revocations and freezes last until lifted; give no end."))
        if rec.starts_at and rec.ends_at and rec.ends_at <= rec.starts_at:
            f.fail("end", _("must be after start."))
        out.sanctions.append(rec)

    return out, problems
