"""Value checks shared by the file readers: is this a whole number, a date, one of these …

Each check answers with the value it read, or None / False when the value does not pass;
the caller words the problem (the policy in English, the data file through gettext) and
names its position. Pure module (no Django).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# YAML 1.1 reads 1e-3 and 1.5e3 as text; they are plainly numbers.
_EXPONENT_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")

W = TypeVar("W")


def is_whole_number(value: Any) -> bool:
    """An int, not a bool (YAML and JSON true/false are ints to Python)."""
    return not isinstance(value, bool) and isinstance(value, int)


def is_flag(value: Any) -> bool:
    """true or false."""
    return isinstance(value, bool)


def is_one_of(value: Any, choices: Iterable[str]) -> bool:
    """Exactly one of the text `choices`."""
    return isinstance(value, str) and value in choices


def is_blank(value: Any) -> bool:
    """Missing, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str | None:
    """Text, or a whole number written without quotes, stripped; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip()


def has_control_characters(text: str) -> bool:
    """Any of U+0000-U+001F or U+007F (tabs and line breaks included)."""
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def as_float(value: Any) -> float | None:
    """A number (an int or a float, or text such as 1e-3); None for anything else."""
    if isinstance(value, str) and _EXPONENT_RE.match(value):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def is_finite(number: float) -> bool:
    """Neither NaN nor an infinity."""
    return number == number and number not in (float("inf"), float("-inf"))


def as_decimal(value: Any) -> Decimal | None:
    """A number as written (text, int, float or Decimal), exactly; None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def has_places(number: Decimal, places: int) -> bool:
    """At most `places` decimals (a finite number)."""
    return number == number.quantize(Decimal(1).scaleb(-places))


def iso_date(text: str) -> date | None:
    """2026-03-31 (any form `date.fromisoformat` reads); None if not a date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def iso_date_or_moment(text: str) -> date | datetime | None:
    """A date if the text is 10 characters (2026-03-31), else a date and time
    (2026-03-31T16:30:00+08:00); None if it is neither."""
    try:
        return (
            date.fromisoformat(text)
            if len(text.strip()) == 10
            else datetime.fromisoformat(text.strip())
        )
    except ValueError:
        return None


def clock_time(text: Any) -> time | None:
    """A time of day written H:MM or HH:MM, 00:00 to 23:59; None otherwise."""
    match = _CLOCK_RE.match(text) if isinstance(text, str) else None
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    return None


def is_time_zone(name: Any) -> bool:
    """An IANA time zone name this system knows (Asia/Shanghai)."""
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def repeats(
    items: Iterable[tuple[W, Hashable]], *, skip: Callable[[Any], bool] = lambda value: False
) -> Iterator[tuple[W, W]]:
    """(item, first item) for each item whose value an earlier item already had.

    `items` are (item, value) pairs, e.g. (position, code); values for which `skip` is true
    (not given, already reported) are neither repeats nor remembered.
    """
    first: dict[Hashable, W] = {}
    for item, value in items:
        if skip(value):
            continue
        if value in first:
            yield item, first[value]
        else:
            first[value] = item
