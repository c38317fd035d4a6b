"""Periods (month, quarter, half-year, year) as half-open UTC ranges of the policy's calendar.

A month is the calendar month in the policy's time zone, so "November" begins at local
midnight on 1 November whatever the offset (DST included); storage and comparison stay UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_LABEL_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$")


@dataclass(frozen=True)
class Period:
    """`[start_utc, end_utc)` of one period; `label` is "2026-11", "2026-Q4", "2026-H2", "2026"."""

    kind: str
    start_utc: datetime
    end_utc: datetime
    label: str
    timezone: str = "UTC"

    def contains(self, when_utc: datetime) -> bool:
        """Whether an instant falls in the period (start included, end excluded)."""
        return self.start_utc <= _aware(when_utc) < self.end_utc


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("a naive datetime has no instant: pass an aware (UTC) datetime")
    return when


def _zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _local_midnight_utc(year: int, month: int, tz: tzinfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


def _label(kind: str, year: int, first_month: int) -> str:
    if kind == "month":
        return f"{year:04d}-{first_month:02d}"
    if kind == "quarter":
        return f"{year:04d}-Q{(first_month - 1) // 3 + 1}"
    if kind == "half_year":
        return f"{year:04d}-H{(first_month - 1) // 6 + 1}"
    return f"{year:04d}"


def _period(kind: str, year: int, first_month: int, tz: tzinfo) -> Period:
    length = PERIOD_MONTHS[kind]
    return Period(
        kind=kind,
        start_utc=_local_midnight_utc(year, first_month, tz),
        end_utc=_local_midnight_utc(year, first_month + length, tz),
        label=_label(kind, year, first_month),
        timezone=_zone_name(tz),
    )


def period_of(kind: str, when_utc: datetime, tz: tzinfo) -> Period:
    """The period of a kind ("month", "quarter", "half_year", "year") holding an instant."""
    if kind not in PERIOD_MONTHS:
        raise ValueError(f"unknown period kind {kind!r}: use one of {', '.join(PERIOD_MONTHS)}")
    local = _aware(when_utc).astimezone(tz)
    length = PERIOD_MONTHS[kind]
    first_month = (local.month - 1) // length * length + 1
    return _period(kind, local.year, first_month, tz)


def month_of(when_utc: datetime, tz: tzinfo) -> Period:
    """The calendar month (policy zone) holding an instant."""
    return period_of("month", when_utc, tz)


def period_from_label(label: str, tz: tzinfo) -> Period:
    """The period a label names ("2026-11", "2026-Q4", "2026-H2", "2026")."""
    match = _LABEL_RE.match(label) if isinstance(label, str) else None
    if not match:
        raise ValueError(f"not a period label: {label!r} (expected e.g. 2026-11, 2026-Q4)")
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"not a period label: {label!r} (month must be 01..12)")
        return _period("month", year, int(month), tz)
    if quarter is not None:
        return _period("quarter", year, (int(quarter) - 1) * 3 + 1, tz)
    if half is not None:
        return _period("half_year", year, (int(half) - 1) * 6 + 1, tz)
    return _period("year", year, 1, tz)


def next_month(period: Period, tz: tzinfo | None = None) -> Period:
    """The calendar month that begins when `period` ends."""
    zone = tz or ZoneInfo(period.timezone)
    return month_of(period.end_utc, zone)


def months_back(period: Period, n: int, tz: tzinfo | None = None) -> list[Period]:
    """The `n` months ending with the last month of `period`, oldest first (P-23's window)."""
    if n < 1:
        raise ValueError("months_back needs n >= 1")
    zone = tz or ZoneInfo(period.timezone)
    last = period.end_utc.astimezone(zone)
    # The local month before the period's end is the period's last month.
    index = last.year * 12 + (last.month - 1) - 1
    return [
        _period("month", (index - k) // 12, (index - k) % 12 + 1, zone)
        for k in range(n - 1, -1, -1)
    ]


def closed_months_between(
    after_label: str | None,
    now_utc: datetime,
    tz: tzinfo,
    *,
    not_before: date | None = None,
) -> list[Period]:
    """Every month that has ended by `now_utc` and comes after `after_label`, oldest first.

    Jobs pass the label of the last month they processed, so a missed run catches up on
    every month since. With no month processed yet, `not_before` (the policy's
    `effective_from`) gives the first month to consider.
    """
    now_utc = _aware(now_utc)
    starts: list[Period] = []
    if after_label is not None:
        done = period_from_label(after_label, tz)
        if done.kind != "month":
            raise ValueError(f"not a month label: {after_label!r}")
        starts.append(next_month(done, tz))
    if not_before is not None:
        starts.append(_period("month", not_before.year, not_before.month, tz))
    if not starts:
        raise ValueError("closed_months_between needs after_label or not_before")
    month = max(starts, key=lambda p: p.start_utc)
    closed: list[Period] = []
    while month.end_utc <= now_utc:
        closed.append(month)
        month = next_month(month, tz)
    return closed
