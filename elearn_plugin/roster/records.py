"""One roster record checked on its own, and the roster as a whole (P-2, P-7).

Both sources (the HR system's JSON and the CSV file) give the same fields; each value is
checked here the way provisioning checks its rows, so a record the sync accepts is one that
provisioning accepts too. Problems name the line (or record number) and the field, never
the value: names and emails are personal data (P-32).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from django.utils.translation import gettext as _

from elearn_plugin.org.provisioning_rows import ProvisionRow, RowProblem, field_problems
from elearn_plugin.rules.roster import LEFT, ROSTER_STATUSES, RosterPerson

# The columns of the CSV file and the fields of a JSON record, in the documented order.
FIELDS = (
    "employee_id",
    "username",
    "name",
    "email",
    "unit",
    "job_role",
    "status",
    "hired",
    "left",
)
OPTIONAL = frozenset({"email", "hired", "left"})


def _text(raw: Mapping[str, object], name: str, line: int, problems: list[RowProblem]) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(RowProblem(line, name, _("Must be text.")))
        return ""
    return value.strip()


def _day(text: str, name: str, line: int, problems: list[RowProblem]) -> date | None:
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        problems.append(RowProblem(line, name, _("Must be a date written YYYY-MM-DD.")))
        return None


def parse_record(
    raw: Mapping[str, object], line: int
) -> tuple[RosterPerson | None, list[RowProblem]]:
    """A record's values (text, or null for an optional one) as a `RosterPerson`, or its
    problems. `left` is required with `status: left`; an active person may carry an old
    `left` only when they were hired again after it."""
    problems: list[RowProblem] = []
    unknown = sorted(set(raw) - set(FIELDS))
    for name in unknown:
        problems.append(RowProblem(line, "", _("Unknown field “{field}”.").format(field=name)))
    for name in FIELDS:
        if name not in raw and name not in OPTIONAL:
            problems.append(RowProblem(line, name, _("This field is missing.")))
    values = {name: _text(raw, name, line, problems) for name in FIELDS}
    if problems:
        return None, problems
    row = ProvisionRow(
        line=line,
        employee_id=values["employee_id"],
        username=values["username"],
        name=values["name"],
        email=values["email"],
        unit=values["unit"],
        job_role=values["job_role"],
    )
    problems.extend(field_problems(row))
    status = values["status"]
    if status not in ROSTER_STATUSES:
        problems.append(
            RowProblem(
                line,
                "status",
                _("Must be one of: {choices}.").format(choices=", ".join(ROSTER_STATUSES)),
            )
        )
    hired = _day(values["hired"], "hired", line, problems)
    left = _day(values["left"], "left", line, problems)
    if status == LEFT and left is None and not values["left"]:
        problems.append(RowProblem(line, "left", _("Required when the status is “left”.")))
    if left and hired and left < hired and status == LEFT:
        problems.append(RowProblem(line, "left", _("Must not be before hired.")))
    if left and status != LEFT and not (hired and hired > left):
        problems.append(
            RowProblem(line, "left", _("An active person has a leaving day only when re-hired."))
        )
    if problems:
        return None, problems
    return (
        RosterPerson(
            employee_id=row.employee_id,
            username=row.username,
            name=row.name,
            email=row.email,
            unit=row.unit,
            job_role=row.job_role,
            status=status,
            hired=hired,
            left=left,
            line=line,
        ),
        [],
    )


def roster_problems(people: Sequence[RosterPerson]) -> list[RowProblem]:
    """What is wrong across records: an employee id or a username listed twice."""
    problems: list[RowProblem] = []
    for attr, fold in (("employee_id", str), ("username", str.casefold)):
        counts = Counter(fold(getattr(p, attr)) for p in people)
        problems.extend(
            RowProblem(p.line, attr, _("Appears more than once in the roster."))
            for p in people
            if counts[fold(getattr(p, attr))] > 1
        )
    return sorted(problems, key=lambda p: (p.line, p.field))
