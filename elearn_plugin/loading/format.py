"""The data file: parsing (YAML or JSON, duplicate keys refused) and record-level checks.

Every problem names its position, e.g. `people[12].unit: unknown unit "X"`, so that an
operator can fix the whole file in one pass. Nothing here writes to the database; the
checks that need it (does this unit already exist?) read through `Known`.

The sections are declared in `sections.TABLE` (fields, natural keys, references, with the
pieces from `fields`); `validate` runs the table, then `history.check_file` (records dated
before their person was hired, transfers that do not fit). The records are in `records`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.utils.translation import gettext as _

from elearn_plugin.loading import history
from elearn_plugin.loading.fields import Context, Section
from elearn_plugin.loading.reader import RecordReader, report_repeats, section_items
from elearn_plugin.loading.records import (
    AssignmentRecord,
    ClassroomSessionRecord,
    CompletionRecord,
    ContactRecord,
    CourseRecord,
    DataFileError,
    DataSet,
    JobRoleRecord,
    Known,
    LearningTimeRecord,
    PersonRecord,
    Problem,
    SanctionRecord,
    TransferRecord,
    UnitRecord,
)
from elearn_plugin.loading.sections import (
    ACTIVITY_KINDS,
    CODE_RE,
    COURSE_KINDS,
    COURSE_ORIGINS,
    EMPLOYEE_ID_RE,
    MAX_ACTIVITY,
    MAX_SESSION_MINUTES,
    REASON_CODE_RE,
    SANCTION_KINDS,
    SECTIONS,
    TABLE,
    UNIT_KINDS,
    USERNAME_RE,
)
from elearn_plugin.textformats.yaml_lines import (
    DuplicateKeyError,
    UnhashableKeyError,
    UniqueKeyLoader,
    unique_json_object,
)

__all__ = [
    "ACTIVITY_KINDS",
    "CODE_RE",
    "COURSE_KINDS",
    "COURSE_ORIGINS",
    "EMPLOYEE_ID_RE",
    "MAX_ACTIVITY",
    "MAX_FILE_BYTES",
    "MAX_SESSION_MINUTES",
    "REASON_CODE_RE",
    "SANCTION_KINDS",
    "SECTIONS",
    "UNIT_KINDS",
    "USERNAME_RE",
    "AssignmentRecord",
    "ClassroomSessionRecord",
    "CompletionRecord",
    "ContactRecord",
    "CourseRecord",
    "DataFileError",
    "DataSet",
    "JobRoleRecord",
    "Known",
    "LearningTimeRecord",
    "PersonRecord",
    "Problem",
    "SanctionRecord",
    "TransferRecord",
    "UnitRecord",
    "parse_text",
    "read_file",
    "validate",
]

MAX_FILE_BYTES = 50 * 1024 * 1024


# --- parsing ---------------------------------------------------------------------------


def parse_text(text: str, kind: str) -> Any:
    """Parse YAML (`kind` "yaml") or JSON text; raises DataFileError."""
    if kind == "json":
        try:
            return json.loads(text, object_pairs_hook=unique_json_object, parse_float=Decimal)
        except DuplicateKeyError as exc:
            raise DataFileError(_('the key "%(key)s" is given twice.') % {"key": exc.key})
        except json.JSONDecodeError as exc:
            raise DataFileError(
                _("line %(line)d: not valid JSON (%(error)s).")
                % {"line": exc.lineno, "error": exc.msg}
            )
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except DuplicateKeyError as exc:
        raise DataFileError(
            _('line %(line)d: the key "%(key)s" is given twice (first on line %(first)d).')
            % {"line": exc.line, "key": exc.key, "first": exc.first_line}
        )
    except UnhashableKeyError as exc:
        raise DataFileError(
            _("line %(line)d: a mapping key must be a plain value.") % {"line": exc.line}
        )
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
    context = Context(tz, known)
    for section in TABLE:
        getattr(out, section.name).extend(_check_section(section, data, context, problems))
    # P-1, P-6: the people's history, against every dated record of the file.
    history.check_file(out, context, problems)
    return out, problems


def _check_section(section: Section, data: dict, context: Context, problems: list[Problem]) -> list:
    """The section's records in file order; their problems added to `problems`."""
    rows = []
    for i, raw in enumerate(section_items(data, section.name, problems)):
        reader = RecordReader(f"{section.name}[{i}]", raw, section.field_names, problems)
        values: dict[str, Any] = {"index": i} if section.numbered else {}
        for field in section.reading_order:
            values[field.record_attr] = field.read(reader, context)
        record = section.record(**values)
        for check in section.checks:
            check(reader, record, context)
        rows.append((reader, record))
    for unique in section.unique:
        report_repeats(rows, unique, section.name, problems)
    if section.defines is not None:
        defines = section.defines
        codes = {getattr(record, defines.attr) for _reader, record in rows}
        context.names[defines.names] = {code for code in codes if code} | getattr(
            context.known, defines.known
        )
    if section.after is not None:
        section.after(rows, context)
    return [record for _reader, record in rows]
