"""The provisioning file (P-2): reading the HR's CSV file and checking each row on its own.

What needs the database (codes, existing accounts, the actor's units) is checked by
`elearn_plugin.org.provisioning`; no message here holds personal data.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting

HEADER = ("employee_id", "username", "name", "email", "unit", "job_role")
REQUIRED = ("employee_id", "username", "name", "unit", "job_role")
MAX_LENGTH = {
    "employee_id": 64,
    "username": 30,  # the LMS's USERNAME_MAX_LENGTH
    "name": 100,
    "email": 254,
    "unit": 64,
    "job_role": 64,
}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,}$")
EMPLOYEE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ProvisionRow:
    """One data row of the file; `line` is its line number in the file (header is line 1)."""

    line: int
    employee_id: str
    username: str
    name: str
    email: str
    unit: str
    job_role: str


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the file, line 0/1) cannot be imported; no personal data in `message`."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line {line}: {field}: {message}").format(
            line=self.line, field=self.field or "-", message=self.message
        )


# ---------------------------------------------------------------------------- reading


def data_rows(reader, names: list[str], problems: list[RowProblem]):
    """`(line, cells)` of each non-blank CSV row with one cell per column; a row of another
    width becomes a problem of its line instead (provisioning files and HR's roster)."""
    for raw in reader:
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(names):
            problems.append(
                RowProblem(
                    reader.line_num,
                    "",
                    _("Expected {expected} columns, found {found}.").format(
                        expected=len(names), found=len(raw)
                    ),
                )
            )
            continue
        yield reader.line_num, raw


def read_rows(data: bytes | str) -> tuple[list[ProvisionRow], list[RowProblem]]:
    """Parse the CSV file (UTF-8, with or without BOM); structural problems by line."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return [], [RowProblem(line, "", _("The file is not UTF-8 text."))]
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[ProvisionRow] = []
    problems: list[RowProblem] = []
    try:
        header = next(reader, None)
        names = [h.strip().lower() for h in header or []]
        if sorted(names) != sorted(HEADER):
            expected = ",".join(HEADER)
            return [], [
                RowProblem(
                    1,
                    "",
                    _("Wrong header; expected the columns: {columns}").format(columns=expected),
                )
            ]
        for line, raw in data_rows(reader, names, problems):
            values = {name: cell.strip() for name, cell in zip(names, raw, strict=True)}
            rows.append(ProvisionRow(line=line, **values))
    except csv.Error:
        problems.append(RowProblem(reader.line_num, "", _("The line is not valid CSV.")))
    return rows, problems


# ---------------------------------------------------------------------------- checking a row


def field_problems(row: ProvisionRow) -> list[RowProblem]:
    """What is wrong with the row's own fields (lengths, characters, formats)."""
    problems = []
    for name in HEADER:
        value = getattr(row, name)
        if name in REQUIRED and not value:
            problems.append(RowProblem(row.line, name, _("This field is required.")))
        elif len(value) > MAX_LENGTH[name]:
            problems.append(
                RowProblem(
                    row.line,
                    name,
                    _("Too long: at most {limit} characters.").format(limit=MAX_LENGTH[name]),
                )
            )
        elif CONTROL_RE.search(value):
            problems.append(RowProblem(row.line, name, _("Contains control characters.")))
    bad = {p.field for p in problems}
    if "username" not in bad and row.username and not USERNAME_RE.match(row.username):
        problems.append(
            RowProblem(
                row.line,
                "username",
                _("Use 2 or more of the letters A-Z, digits and . _ @ + - only."),
            )
        )
    if "employee_id" not in bad and row.employee_id and not EMPLOYEE_ID_RE.match(row.employee_id):
        problems.append(
            RowProblem(
                row.line,
                "employee_id",
                _("Use letters A-Z, digits and . _ / - only, starting with a letter or digit."),
            )
        )
    if "email" not in bad and row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(RowProblem(row.line, "email", _("Not a valid email address.")))
    return problems


def email_of(row: ProvisionRow) -> str:
    """The row's email, or a placeholder address when the file gives none."""
    if row.email:
        return BaseUserManager.normalize_email(row.email)
    domain = setting("ELEARN_PLACEHOLDER_EMAIL_DOMAIN")
    return f"{row.username}@{domain}".lower()
