"""Checking the policy file's values: each problem with its line and dotted key.

`Checker` collects the problems; each of its parse methods returns the value, or `BAD` once
the problem is reported, so that one pass reports everything. `sub` and `leaf` read a
section and one of its keys the way `shape.SPEC` describes them.

Pure module (no Django).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from elearn_plugin.policy.schema import WEEKDAY_NAMES, PolicyProblem
from elearn_plugin.policy.shape import keys_at
from elearn_plugin.textformats import validators
from elearn_plugin.textformats.yaml_lines import InvalidScalar, MarkedList, MarkedMap

BAD = object()  # a value already reported as a problem

# The known keys of a section: name -> (value, line).
Fields = dict[str, tuple[Any, int]]
Parse = Callable[[Any, int, str], Any]


def describe(value: Any) -> str:
    """What a value is, for "must be …, got …" messages."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a number ({value:g})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    return repr(value)


def ok(*values: Any) -> bool:
    """None of the values was reported as a problem."""
    return all(v is not BAD for v in values)


class Checker:
    """Collects problems; each parse method returns the value or `BAD` once reported."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[PolicyProblem] = []

    def add(self, line: int | None, key: str, message: str) -> object:
        self.problems.append(PolicyProblem(self.source, line, key, message))
        return BAD

    # Structure

    def section(
        self,
        value: Any,
        line: int | None,
        key: str,
        names: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> Fields | None:
        """The known keys of a mapping with their lines; unknown and missing keys reported.

        `optional` names keys that may be left out (the caller checks what must be there).
        """
        if not isinstance(value, MarkedMap):
            self.add(line, key, f"must be a mapping of keys, got {describe(value)}")
            return None
        prefix = f"{key}." if key else ""
        for dup, dup_line in value.duplicates:
            self.add(dup_line, f"{prefix}{dup}", "key written twice: keep only one")
        for bad_line in value.unhashable_lines:
            self.add(bad_line, key or "(file)", "a key must be a plain name")
        found: Fields = {}
        for name, item in value.items():
            name_line = value.lines[name]
            if not isinstance(name, str) or name not in names:
                hint = difflib.get_close_matches(str(name), names, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                self.add(name_line, f"{prefix}{name}", f"unknown key{suggestion}")
                continue
            found[name] = (item, name_line)
        for name in names:
            if name in optional:
                continue
            if name not in found and name not in {d for d, _ in value.duplicates}:
                self.add(line or value.line, f"{prefix}{name}", "missing key")
        return found

    def items(self, value: Any, line: int, key: str, *, allow_empty: bool = True):
        """(index, item, line) of a list; a non-list is reported."""
        if not isinstance(value, MarkedList):
            self.add(line, key, f"must be a list, got {describe(value)}")
            return None
        if not value and not allow_empty:
            self.add(line, key, "must not be empty")
            return None
        return [(i, item, value.lines[i]) for i, item in enumerate(value)]

    # Leaves

    def integer(self, value: Any, line: int, key: str, *, minimum: int) -> Any:
        if not validators.is_whole_number(value):
            return self.add(line, key, f"must be a whole number, got {describe(value)}")
        if value < minimum:
            need = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
            return self.add(line, key, f"{need}, got {value}")
        return value

    def number(
        self,
        value: Any,
        line: int,
        key: str,
        *,
        minimum: float = 0.0,
        maximum: float | None = None,
        positive: bool = False,
    ) -> Any:
        number = validators.as_float(value)
        if number is None:
            return self.add(line, key, f"must be a number, got {describe(value)}")
        if not validators.is_finite(number):
            return self.add(line, key, "must be a finite number")
        if positive and number <= 0:
            return self.add(line, key, f"must be greater than 0, got {number:g}")
        if number < minimum:
            return self.add(line, key, f"must be at least {minimum:g}, got {number:g}")
        if maximum is not None and number > maximum:
            return self.add(line, key, f"must be at most {maximum:g}, got {number:g}")
        return number

    def share(self, value: Any, line: int, key: str) -> Any:
        value = self.number(value, line, key, minimum=float("-inf"))
        if value is BAD:
            return BAD
        if 1 < value <= 100:
            return self.add(
                line, key, f"is a share between 0 and 1: write {value:g} % as {value / 100:.2f}"
            )
        if not 0 <= value <= 1:
            return self.add(line, key, f"must be a share between 0 and 1, got {value:g}")
        return value

    def boolean(self, value: Any, line: int, key: str) -> Any:
        if not validators.is_flag(value):
            return self.add(line, key, f"must be true or false, got {describe(value)}")
        return value

    def choice(self, value: Any, line: int, key: str, choices: tuple[str, ...]) -> Any:
        if not validators.is_one_of(value, choices):
            shown = value if isinstance(value, str) else describe(value)
            return self.add(line, key, f"unknown value '{shown}': use one of {', '.join(choices)}")
        return value

    def weekday(self, value: Any, line: int, key: str) -> Any:
        if not isinstance(value, str) or value.lower() not in WEEKDAY_NAMES:
            shown = value if isinstance(value, str) else describe(value)
            return self.add(
                line, key, f"unknown weekday '{shown}': use one of {', '.join(WEEKDAY_NAMES)}"
            )
        return WEEKDAY_NAMES.index(value.lower())

    def day(self, value: Any, line: int, key: str) -> Any:
        if isinstance(value, InvalidScalar):
            return self.add(line, key, f"'{value.text}' is not a valid date ({value.reason})")
        if isinstance(value, datetime):
            return self.add(line, key, "must be a date (YYYY-MM-DD) without a time")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            parsed = validators.iso_date(value)
            if parsed is not None:
                return parsed
        return self.add(line, key, f"must be a date written YYYY-MM-DD, got {describe(value)}")

    def clock(self, value: Any, line: int, key: str) -> Any:
        parsed = validators.clock_time(value)
        if parsed is not None:
            return parsed
        shown = f"'{value}'" if isinstance(value, str) else describe(value)
        return self.add(
            line, key, f'{shown} is not a time of day: write "HH:MM" from 00:00 to 23:59'
        )

    def zone(self, value: Any, line: int, key: str) -> Any:
        if not isinstance(value, str) or not value:
            return self.add(line, key, f"must be a time zone name, got {describe(value)}")
        if not validators.is_time_zone(value):
            return self.add(
                line, key, f"unknown time zone '{value}': use an IANA name like Asia/Shanghai"
            )
        return value

    # Parsers with their bounds, for `leaf`

    def at_least(self, minimum: int) -> Parse:
        return lambda v, ln, k: self.integer(v, ln, k, minimum=minimum)

    def number_within(self, **limits: Any) -> Parse:
        return lambda v, ln, k: self.number(v, ln, k, **limits)

    def one_of(self, choices: tuple[str, ...]) -> Parse:
        return lambda v, ln, k: self.choice(v, ln, k, choices)


def sub(check: Checker, parent: Fields | None, name: str, key: str) -> Fields | None:
    """The known keys of the section `name` of `parent` (dotted `key`); None if unusable."""
    if parent is None or name not in parent:
        return None
    value, line = parent[name]
    return check.section(value, line, key, tuple(keys_at(key)))


def leaf(fields: Fields | None, name: str, key: str, parse: Parse) -> Any:
    """The key `name` of a section read by `parse`; `BAD` if missing or unusable."""
    if fields is None or name not in fields:
        return BAD
    value, line = fields[name]
    return parse(value, line, f"{key}.{name}" if key else name)
