"""The sections of the data file, declared: their fields, natural keys and references.

The order of `TABLE` is the order in which sections are checked: a section may refer to
the ones before it (and to what the database holds). Choices come from the models. The
format is documented in docs/data-format.md.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from elearn_plugin.courses.models import CourseKind, CourseOrigin
from elearn_plugin.learning.models import ActivityKind
from elearn_plugin.loading.fields import (
    Choice,
    Context,
    CourseKey,
    Day,
    Defines,
    EmployeeIds,
    Field,
    Flag,
    Moment,
    Number,
    Pattern,
    Ref,
    Section,
    Text,
    Unique,
    Whole,
    refers,
)
from elearn_plugin.loading.reader import RecordReader, Rows
from elearn_plugin.loading.records import (
    AssignmentRecord,
    ClassroomSessionRecord,
    CompletionRecord,
    ContactRecord,
    CoursePolicySpec,
    JobRoleRecord,
    LearningTimeRecord,
    PersonRecord,
    SanctionRecord,
    TransferRecord,
    UnitRecord,
)
from elearn_plugin.org.models import Unit
from elearn_plugin.standing.models import SanctionKind

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,30}$")
EMPLOYEE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")
REASON_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SESSION_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,150}$")
UNIT_KINDS = tuple(value for value, _label in Unit._meta.get_field("kind").choices)
COURSE_KINDS = tuple(CourseKind.values)
COURSE_ORIGINS = tuple(CourseOrigin.values)
# Classroom time comes from classroom_sessions, not from learning_time.
ACTIVITY_KINDS = tuple(kind for kind in ActivityKind.values if kind != ActivityKind.CLASSROOM)
SANCTION_KINDS = tuple(SanctionKind.values)
MAX_ACTIVITY = timedelta(days=2)
MAX_SESSION_MINUTES = 24 * 60

CODE_HINT = gettext_noop("must be 1-64 letters A-Z, digits, _ or -.")
EMPLOYEE_HINT = gettext_noop(
    "must be letters A-Z, digits and . _ / - (starting with a letter or digit)."
)

UNIT = Ref("units", gettext_noop('unknown unit "%(code)s".'), "code")
JOB_ROLE = Ref("job_roles", gettext_noop('unknown job role "%(code)s".'), "code")
EMPLOYEE = Ref("employees", gettext_noop('unknown employee "%(id)s".'), "id")
COURSE = Ref("courses", gettext_noop('unknown course "%(key)s" (add it under courses).'), "key")

# The learner a record is about: a person of this file or of the database.
LEARNER = Field("employee_id", Pattern(EMPLOYEE_ID_RE, EMPLOYEE_HINT), ref=EMPLOYEE)


# --- checks across fields and records --------------------------------------------------


def _unit_tree(rows: Rows, context: Context) -> None:
    """Every parent is a unit, and following parents never comes back to a unit."""
    units = context.names["units"]
    parents = {rec.code: rec.parent for _reader, rec in rows if rec.code}
    for reader, rec in rows:
        if rec.parent and rec.parent not in units:
            reader.fail("parent", UNIT.unknown(rec.parent))
        elif rec.parent:
            seen, cursor = {rec.code}, rec.parent
            while cursor in parents:
                if cursor in seen:
                    reader.fail("parent", _("the units form a cycle."))
                    break
                seen.add(cursor)
                cursor = parents[cursor]


def _valid_email(reader: RecordReader, rec: PersonRecord, context: Context) -> None:
    if rec.email:
        try:
            validate_email(rec.email)
        except ValidationError:
            reader.fail("email", _("is not a valid email address."))


def _password_length(reader: RecordReader, rec: PersonRecord, context: Context) -> None:
    if rec.password is not None and len(rec.password) < 8:
        reader.fail("password", _("must have at least 8 characters."))


def _today(context: Context) -> date:
    return timezone.now().astimezone(context.tz).date()


def _person_dates(reader: RecordReader, rec: PersonRecord, context: Context) -> None:
    """`left` is history, not a plan: not before `hired`, not after today (P-7)."""
    if rec.left_on and rec.hired_on and rec.left_on < rec.hired_on:
        reader.fail("left", _("must not be before hired."))
    elif rec.left_on and rec.left_on > _today(context):
        reader.fail("left", _("must not be in the future."))


def _transfer_day(reader: RecordReader, rec: TransferRecord, context: Context) -> None:
    if rec.on and rec.on > _today(context):
        reader.fail("date", _("must not be in the future."))


def _activity_span(reader: RecordReader, rec: LearningTimeRecord, context: Context) -> None:
    if rec.started_at and rec.ended_at:
        if rec.ended_at <= rec.started_at:
            reader.fail("end", _("must be after start."))
        elif rec.ended_at - rec.started_at > MAX_ACTIVITY:
            reader.fail("end", _("an activity may last at most 2 days."))


def _sanction_end(reader: RecordReader, rec: SanctionRecord, context: Context) -> None:
    if rec.kind == SanctionKind.SUSPENSION and rec.ends_at is None and "end" not in reader.raw:
        reader.fail("end", _("a suspension needs an end."))
    if rec.kind in (SanctionKind.REVOCATION, SanctionKind.FREEZE) and (
        reader.raw.get("end") is not None
    ):
        reader.fail("end", _("revocations and freezes last until lifted; give no end."))
    if rec.starts_at and rec.ends_at and rec.ends_at <= rec.starts_at:
        reader.fail("end", _("must be after start."))


# --- the sections ----------------------------------------------------------------------

TABLE: tuple[Section, ...] = (
    Section(
        "units",
        UnitRecord,
        (
            Field("code", Pattern(CODE_RE, CODE_HINT)),
            Field("name", Text(200)),
            Field("parent", Pattern(CODE_RE, CODE_HINT), required=False, empty_is_none=True),
            Field("kind", Choice(UNIT_KINDS, default=Unit.DEPARTMENT)),
            Field("travel_heavy", Flag()),
        ),
        unique=(Unique("code", lambda r: r.code),),
        defines=Defines("units", "code", known="units"),
        after=_unit_tree,  # parents may come later in the file
    ),
    Section(
        "job_roles",
        JobRoleRecord,
        (Field("code", Pattern(CODE_RE, CODE_HINT)), Field("name", Text(200))),
        unique=(Unique("code", lambda r: r.code),),
        defines=Defines("job_roles", "code", known="job_roles"),
    ),
    Section(
        "people",
        PersonRecord,
        (
            Field("employee_id", Pattern(EMPLOYEE_ID_RE, EMPLOYEE_HINT)),
            Field(
                "username",
                Pattern(
                    USERNAME_RE,
                    gettext_noop("must be 2-30 letters A-Z, digits and . _ @ + - only."),
                ),
            ),
            Field("name", Text(100)),
            Field("email", Text(254), required=False),
            Field("unit", Text(64)),
            Field("job_role", Text(64)),
            Field("password", Text(128), required=False, empty_is_none=True),
            Field("hired", Day(), required=False, attr="hired_on"),
            Field("left", Day(), required=False, attr="left_on"),
        ),
        numbered=True,
        checks=(
            _valid_email,
            refers("unit", UNIT),
            refers("job_role", JOB_ROLE),
            _password_length,
            _person_dates,
        ),
        unique=(
            Unique("employee_id", lambda r: r.employee_id),
            Unique("username", lambda r: r.username.casefold(), personal=True),
            Unique("email", lambda r: r.email.casefold(), personal=True),
        ),
        defines=Defines("employees", "employee_id", known="employee_ids"),
    ),
    # After people: the history of their units (checked against `hired`/`left` by
    # `loading.history` once every section is read).
    Section(
        "transfers",
        TransferRecord,
        (LEARNER, Field("unit", Text(64), ref=UNIT), Field("date", Day(), attr="on")),
        checks=(_transfer_day,),
        unique=(Unique("date", lambda r: f"{r.employee_id} {r.on}" if r.on else ""),),
    ),
    Section(
        "contacts",
        ContactRecord,
        (LEARNER, Field("unit", Text(64), ref=UNIT), Field("lead", Flag())),
        unique=(Unique("unit", lambda r: f"{r.employee_id} @ {r.unit}"),),
    ),
    Section(
        "courses",
        CoursePolicySpec,
        (
            Field("course_key", CourseKey()),
            Field("title", Text()),
            Field("credits", Number(Decimal("0"), Decimal("9999.99"))),
            Field("kind", Choice(COURSE_KINDS)),
            Field("origin", Choice(COURSE_ORIGINS)),
        ),
        unique=(Unique("course_key", lambda r: r.course_key),),
        defines=Defines("courses", "course_key", known="course_keys"),
    ),
    Section(
        "assignments",
        AssignmentRecord,
        (
            LEARNER,
            Field("course_key", CourseKey(), ref=COURSE),
            Field("due", Moment(end_of_day=True), attr="due_at"),
            Field("assigned", Moment(), required=False, attr="assigned_at"),
        ),
        unique=(Unique("course_key", lambda r: f"{r.employee_id} {r.course_key}"),),
    ),
    Section(
        "completions",
        CompletionRecord,
        (
            LEARNER,
            Field("course_key", CourseKey(), ref=COURSE),
            Field("completed_at", Moment()),
        ),
        unique=(Unique("course_key", lambda r: f"{r.employee_id} {r.course_key}"),),
    ),
    Section(
        "learning_time",
        LearningTimeRecord,
        (
            LEARNER,
            Field("course_key", CourseKey(), required=False, ref=COURSE),
            Field("kind", Choice(ACTIVITY_KINDS, default=ActivityKind.VIDEO.value)),
            Field("start", Moment(), attr="started_at"),
            Field("end", Moment(), attr="ended_at"),
        ),
        checks=(_activity_span,),
        unique=(
            Unique(
                "start",
                lambda r: f"{r.employee_id} {r.course_key} {r.kind} {r.started_at} {r.ended_at}",
            ),
        ),
    ),
    Section(
        "classroom_sessions",
        ClassroomSessionRecord,
        (
            Field(
                "key",
                Pattern(
                    SESSION_KEY_RE,
                    gettext_noop("must be 1-150 letters A-Z, digits and . _ : - only."),
                ),
            ),
            Field("title", Text()),
            Field("instructor", Text(200)),
            Field("unit", Text(64), required=False, ref=UNIT, empty_is_none=True),
            Field("start", Moment(), attr="started_at"),
            Field("duration_minutes", Whole(1, MAX_SESSION_MINUTES)),
            Field("rating", Number(Decimal("0"), Decimal("5")), required=False),
            Field("attendees", EmployeeIds(EMPLOYEE), required=False),
        ),
        read_first=("attendees",),
        unique=(Unique("key", lambda r: r.key),),
    ),
    Section(
        "sanctions",
        SanctionRecord,
        (
            LEARNER,
            Field("kind", Choice(SANCTION_KINDS)),
            Field(
                "reason_code",
                Pattern(
                    REASON_CODE_RE, gettext_noop("must be a short lower-case code such as sharing.")
                ),
            ),
            Field("reason", Text(1000), required=False),
            Field("start", Moment(), attr="starts_at"),
            Field("end", Moment(), required=False, attr="ends_at"),
        ),
        checks=(_sanction_end,),
    ),
)

SECTIONS = tuple(section.name for section in TABLE)
