"""Working time and learning windows (P-18), pure.

Working time is the policy calendar's working hours on working days, in the policy's time
zone. Learning inside working time is allowed only in a learning window (every Wednesday;
Friday of a small week; Saturday of a big week, 大周) or in a slot a training contact
permitted; outside working time learners study when they like.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from elearn_plugin.policy.schema import LearningWindows, WorkCalendar

Classification = Literal["window", "off_hours", "unpermitted"]
Interval = tuple[datetime, datetime]

_TICK = timedelta(microseconds=1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_big_week(day: date, calendar: WorkCalendar) -> bool:
    """Whether `day` lies in a big week (大周); weeks alternate from the anchor's week."""
    weeks = (_monday(day) - _monday(calendar.big_week_anchor)).days // 7
    return weeks % 2 == 0


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """A working weekday, the big week's extra day, or a swapped (调休) day; never a holiday."""
    if day in calendar.holidays:
        return False
    if day in calendar.swapped_working_days or day.weekday() in calendar.working_weekdays:
        return True
    return day.weekday() == calendar.big_week_extra_weekday and is_big_week(day, calendar)


def working_intervals(day: date, calendar: WorkCalendar) -> list[tuple[time, time]]:
    """The local working hours of a day (empty on days off)."""
    if not is_working_day(day, calendar):
        return []
    return [(r.start, r.end) for r in calendar.working_hours]


def window_intervals(
    day: date, calendar: WorkCalendar, windows: LearningWindows
) -> list[tuple[time, time]]:
    """The local learning windows open on a day; windows open on working days only."""
    if not is_working_day(day, calendar):
        return []
    big = is_big_week(day, calendar)
    return [
        (slot.start, slot.end)
        for slot in windows.slots
        if slot.weekday == day.weekday() and (slot.week == "any" or (slot.week == "big") == big)
    ]


# --- interval arithmetic on UTC instants --------------------------------------------------


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                out.append((start, end))
    return _merge(out)


def _subtract(a: list[Interval], holes: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in a:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return _merge(out)


def _utc(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _aware(when: datetime, name: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} is naive: pass an aware (UTC) datetime")
    return when.astimezone(UTC)


def _zone(tz: tzinfo) -> tzinfo:
    if not isinstance(tz, tzinfo):
        raise TypeError("tz must be a tzinfo: pass the policy's time zone (policy.tz)")
    return tz


def _local_days(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _times(
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    windows: LearningWindows,
    tz: tzinfo,
    permitted: Sequence[tuple[datetime, datetime]],
) -> tuple[list[Interval], list[Interval], list[Interval]]:
    """(working time, windows, windows and permitted slots) around `[start, end]`, in UTC."""
    tz = _zone(tz)
    work: list[Interval] = []
    open_: list[Interval] = []
    for day in _local_days(start, end, tz):
        work += [(_utc(day, s, tz), _utc(day, e, tz)) for s, e in working_intervals(day, calendar)]
        open_ += [
            (_utc(day, s, tz), _utc(day, e, tz))
            for s, e in window_intervals(day, calendar, windows)
        ]
    granted = [(_aware(s, "permitted start"), _aware(e, "permitted end")) for s, e in permitted]
    windows_utc = _merge(open_)
    return _merge(work), windows_utc, _merge(open_ + granted)


def classify_interval(
    start_utc: datetime,
    end_utc: datetime,
    calendar: WorkCalendar,
    windows: LearningWindows,
    tz: tzinfo,
    permitted: Sequence[tuple[datetime, datetime]] = (),
) -> Classification:
    """Classify learning time `[start, end)` under P-18; the most restrictive part wins.

    "unpermitted" if any part is working time outside every window and permitted slot,
    else "window" if any part is in a learning window, else "off_hours". An empty interval
    is classified as the instant it starts at.
    """
    start, end = _aware(start_utc, "start_utc"), _aware(end_utc, "end_utc")
    if end < start:
        raise ValueError("end_utc is before start_utc")
    if end == start:
        end = start + _TICK
    work, windows_utc, allowed = _times(start, end, calendar, windows, tz, permitted)
    span = [(start, end)]
    if _subtract(_intersect(span, work), allowed):
        return "unpermitted"
    if _intersect(span, windows_utc):
        return "window"
    return "off_hours"


def allowed_now(
    when_utc: datetime,
    calendar: WorkCalendar,
    windows: LearningWindows,
    tz: tzinfo,
    permitted: Sequence[tuple[datetime, datetime]] = (),
) -> bool:
    """Whether learning may happen at an instant: outside working time, or in a window/slot."""
    return classify_interval(when_utc, when_utc, calendar, windows, tz, permitted) != "unpermitted"


def next_allowed_start(
    after_utc: datetime,
    calendar: WorkCalendar,
    windows: LearningWindows,
    tz: tzinfo,
    permitted: Sequence[tuple[datetime, datetime]] = (),
) -> datetime:
    """The first instant at or after `after_utc` when learning is allowed ("block" mode)."""
    when = _aware(after_utc, "after_utc")
    # Blocked time never crosses local midnight (working hours end by 23:59), so a few
    # steps always reach an allowed instant.
    for _ in range(8):
        day_end = when + timedelta(days=1)
        work, _windows, allowed = _times(when, day_end, calendar, windows, tz, permitted)
        blocked = _subtract(work, allowed)
        current = next((b for b in blocked if b[0] <= when < b[1]), None)
        if current is None:
            return when
        when = current[1]
    return when
