"""The pieces a data file section is declared with.

A `Section` lists its `Field`s; each field names its validator (`Text`, `Pattern`, `Choice`,
`Flag`, `Number`, `Whole`, `CourseKey`, `Moment`, `Day`, `EmployeeIds`), whether it is required,
and the `Ref` it must name if any. The validators read through `reader.RecordReader`. The
sections themselves are declared in `sections`; `format.validate` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from elearn_plugin.loading.reader import RecordReader, Rows
from elearn_plugin.loading.records import Known
from elearn_plugin.textformats import validators


@dataclass
class Context:
    """What the sections read so far define: the policy's zone and the codes a record may
    refer to (`names["units"]`: the file's unit codes and the database's)."""

    tz: ZoneInfo
    known: Known
    names: dict[str, Set[str]] = field(default_factory=dict)


# --- references ------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A field that must name a record defined by another section (or the database)."""

    names: str  # the key in `Context.names`
    message: str  # gettext_noop msgid with one %(param)s
    param: str

    def check(self, reader: RecordReader, name: str, value: str, context: Context) -> None:
        if value and value not in context.names[self.names]:
            reader.fail(name, self.unknown(value))

    def unknown(self, value: str) -> str:
        return _(self.message) % {self.param: value}


def refers(name: str, ref: Ref) -> Callable[[RecordReader, Any, Context], None]:
    """A record check: the record's field `name` names a `ref` (checked after all fields)."""

    def check(reader: RecordReader, record: Any, context: Context) -> None:
        ref.check(reader, name, getattr(record, name), context)

    return check


# --- validators ------------------------------------------------------------------------


class Validator(Protocol):
    def read(self, reader: RecordReader, field: Field, context: Context) -> Any: ...


@dataclass(frozen=True)
class Text:
    max_length: int = 255

    def read(self, reader: RecordReader, field: Field, context: Context) -> str:
        return reader.text(field.name, required=field.required, max_length=self.max_length)


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    hint: str  # gettext_noop msgid

    def read(self, reader: RecordReader, field: Field, context: Context) -> str:
        return reader.pattern(field.name, self.regex, _(self.hint), required=field.required)


@dataclass(frozen=True)
class Choice:
    """One of `choices`; a missing value is `default`, or a problem without one."""

    choices: tuple[str, ...]
    default: str | None = None

    def read(self, reader: RecordReader, field: Field, context: Context) -> str:
        return reader.choice(field.name, self.choices, self.default)


@dataclass(frozen=True)
class Flag:
    """true or false; false when missing."""

    def read(self, reader: RecordReader, field: Field, context: Context) -> bool:
        return reader.flag(field.name)


@dataclass(frozen=True)
class Number:
    """A decimal number from `low` to `high` with at most 2 decimals."""

    low: Decimal
    high: Decimal

    def read(self, reader: RecordReader, field: Field, context: Context) -> Decimal | None:
        return reader.decimal(field.name, low=self.low, high=self.high, required=field.required)


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high` (always required)."""

    low: int
    high: int

    def read(self, reader: RecordReader, field: Field, context: Context) -> int:
        return reader.integer(field.name, low=self.low, high=self.high)


@dataclass(frozen=True)
class CourseKey:
    """A `course-v1:` key; when not required, a missing or empty value is no course."""

    def read(self, reader: RecordReader, field: Field, context: Context) -> str:
        if not field.required and reader.raw.get(field.name) in (None, ""):
            return ""
        return reader.course_key(field.name)


@dataclass(frozen=True)
class Moment:
    """A date or date and time, in UTC; with `end_of_day` a bare date is that day's end."""

    end_of_day: bool = False

    def read(self, reader: RecordReader, field: Field, context: Context) -> datetime | None:
        return reader.when(
            field.name, context.tz, end_of_day=self.end_of_day, required=field.required
        )


@dataclass(frozen=True)
class Day:
    """A calendar day, without a time (HR's dates: hired, left, a transfer)."""

    def read(self, reader: RecordReader, field: Field, context: Context) -> date | None:
        return reader.day(field.name, required=field.required)


@dataclass(frozen=True)
class EmployeeIds:
    """A list of employee ids, each naming a person once; the known ones, in order."""

    ref: Ref

    def read(self, reader: RecordReader, field: Field, context: Context) -> tuple[str, ...]:
        name = field.name
        raw = reader.raw.get(name, [])
        found: list[str] = []
        if not isinstance(raw, list):
            reader.fail(name, _("must be a list of employee ids."))
            return ()
        for j, item in enumerate(raw):
            value = validators.as_text(item) or ""
            if not value or value not in context.names[self.ref.names]:
                reader.fail(f"{name}[{j}]", self.ref.unknown(value[:64]))
            elif value in found:
                reader.fail(f"{name}[{j}]", _('"%(id)s" is given twice.') % {"id": value})
            else:
                found.append(value)
        return tuple(found)


# --- fields and sections ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a section's records: its name in the file and how it is checked."""

    name: str
    validator: Validator
    required: bool = True
    ref: Ref | None = None  # checked as soon as the field is read
    attr: str = ""  # the record's attribute, when not `name`
    empty_is_none: bool = False

    @property
    def record_attr(self) -> str:
        return self.attr or self.name

    def read(self, reader: RecordReader, context: Context) -> Any:
        value = self.validator.read(reader, self, context)
        if self.ref is not None:
            self.ref.check(reader, self.name, value, context)
        return (value or None) if self.empty_is_none else value


@dataclass(frozen=True)
class Unique:
    """A natural key that no two records of the section may share, reported at `field`.

    A `personal` value (a username, an email) is never quoted: the record it repeats is
    named by its position instead (P-32).
    """

    field: str
    key: Callable[[Any], str]
    personal: bool = False


@dataclass(frozen=True)
class Defines:
    """The codes a section defines for later references: `attr` of its records and the
    database's `Known.<known>`, as `Context.names[names]`."""

    names: str
    attr: str
    known: str


@dataclass(frozen=True)
class Section:
    """One top-level key of the file: a list of records of one kind."""

    name: str
    record: Callable[..., Any]
    fields: tuple[Field, ...]
    unique: tuple[Unique, ...] = ()
    # After a record's fields, in order: checks across its fields.
    checks: tuple[Callable[[RecordReader, Any, Context], None], ...] = ()
    defines: Defines | None = None
    # After the whole section and its `unique` checks: checks across its records.
    after: Callable[[Rows, Context], None] | None = None
    # Fields read before the others (their problems are listed first).
    read_first: tuple[str, ...] = ()
    # The record gets its position in the section as `index`.
    numbered: bool = False

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def reading_order(self) -> tuple[Field, ...]:
        first = [f for f in self.fields if f.name in self.read_first]
        return (*first, *(f for f in self.fields if f.name not in self.read_first))
