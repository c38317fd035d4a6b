"""Reading one record of the data file: its fields, each problem under its position.

`RecordReader` reads the fields of one record and files every problem under the record's
position (`people[12].unit`); `section_items` and `report_repeats` check a section's list
and its natural keys.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from elearn_plugin.courses.keys import parse_course_key
from elearn_plugin.loading.records import Problem
from elearn_plugin.textformats import validators

if TYPE_CHECKING:
    from elearn_plugin.loading.fields import Unique

_UTC = ZoneInfo("UTC")
Rows = list[tuple["RecordReader", Any]]


class RecordReader:
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
        if validators.is_blank(value):
            if required:
                self.fail(name, _("is required."))
            return ""
        text = validators.as_text(value)
        if text is None:
            self.fail(name, _("must be text."))
            return ""
        if len(text) > max_length:
            self.fail(name, _("is longer than %(limit)d characters.") % {"limit": max_length})
            return ""
        if validators.has_control_characters(text):
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
        if not validators.is_one_of(value, choices):
            self.fail(
                name,
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": str(value)[:40], "choices": ", ".join(choices)},
            )
            return ""
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name, False)
        if not validators.is_flag(value):
            self.fail(name, _("must be true or false."))
            return False
        return value

    def decimal(self, name: str, *, low: Decimal, high: Decimal, required: bool = True):
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, _("is required."))
            return None
        number = validators.as_decimal(value)
        if number is None:
            self.fail(name, _("must be a number."))
            return None
        if (
            not number.is_finite()
            or not low <= number <= high
            or not validators.has_places(number, 2)
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
        if not validators.is_whole_number(value) or not low <= value <= high:
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
            value = validators.iso_date_or_moment(value)
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
        return moment.astimezone(_UTC)

    def day(self, name: str, *, required: bool = True) -> date | None:
        """A calendar day (2026-03-31), in the policy's zone by meaning: no time, no offset."""
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, _("is required."))
            return None
        if isinstance(value, str):
            value = validators.iso_date(value)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        self.fail(name, _("must be a date (2026-03-31), without a time."))
        return None


def section_items(data: dict, name: str, problems: list[Problem]) -> list:
    """The records of a section; a section that is not a list is reported."""
    raw = data.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem(name, _("must be a list of records.")))
        return []
    return raw


def report_repeats(rows: Rows, unique: Unique, section: str, problems: list[Problem]) -> None:
    """Flag every record after the first that repeats the natural key `unique`."""
    values = []
    for reader, record in rows:
        key = unique.key(record)
        values.append(((reader.where, key), key))
    for (where, value), (first_where, _value) in validators.repeats(
        values, skip=lambda key: not key
    ):
        if unique.personal:
            message = _("the same as %(first)s: each must be unique in %(section)s.") % {
                "first": f"{first_where}.{unique.field}",
                "section": section,
            }
        else:
            message = _('"%(value)s" is given twice in %(section)s.') % {
                "value": value[:80],
                "section": section,
            }
        problems.append(Problem(f"{where}.{unique.field}", message))
