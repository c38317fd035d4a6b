"""The `calendar` and `learning_windows` sections: when working time is, when learning is.

Pure module (no Django).
"""

from __future__ import annotations

from typing import Any

from elearn_plugin.policy.checker import BAD, Checker, Fields, leaf, ok, sub
from elearn_plugin.policy.schema import (
    WEEK_KINDS,
    WEEKDAY_NAMES,
    WINDOW_MODES,
    LearningWindows,
    TimeRange,
    WindowSlot,
    WorkCalendar,
)
from elearn_plugin.policy.shape import SLOT_KEYS
from elearn_plugin.textformats.yaml_lines import MarkedList


def calendar(check: Checker, root: Fields) -> Any:
    """`calendar` as a `WorkCalendar`, or `BAD`."""
    fields = sub(check, root, "calendar", "calendar")
    weekdays = leaf(
        fields, "working_weekdays", "calendar", lambda v, ln, k: _weekday_set(check, v, ln, k)
    )
    big_f = sub(check, fields, "big_week", "calendar.big_week")
    extra = leaf(big_f, "extra_weekday", "calendar.big_week", check.weekday)
    anchor = leaf(big_f, "anchor", "calendar.big_week", check.day)
    hours = leaf(
        fields, "working_hours", "calendar", lambda v, ln, k: _working_hours(check, v, ln, k)
    )
    holidays = leaf(fields, "holidays", "calendar", lambda v, ln, k: _date_set(check, v, ln, k))
    swapped = leaf(
        fields, "swapped_working_days", "calendar", lambda v, ln, k: _date_set(check, v, ln, k)
    )
    if ok(weekdays, extra) and extra in weekdays:
        check.add(
            big_f["extra_weekday"][1],
            "calendar.big_week.extra_weekday",
            f"'{WEEKDAY_NAMES[extra]}' is already in calendar.working_weekdays;"
            " the big week adds a day that is not",
        )
    if ok(holidays, swapped):
        both = sorted(holidays & swapped)
        if both:
            check.add(
                fields["swapped_working_days"][1],
                "calendar.swapped_working_days",
                "dates listed both as holidays and as working days: "
                + ", ".join(d.isoformat() for d in both),
            )
    if not ok(weekdays, extra, anchor, hours, holidays, swapped):
        return BAD
    return WorkCalendar(weekdays, extra, anchor, hours, holidays, swapped)


def learning_windows(check: Checker, root: Fields) -> Any:
    """`learning_windows` as `LearningWindows`, or `BAD`."""
    fields = sub(check, root, "learning_windows", "learning_windows")
    mode = leaf(fields, "mode", "learning_windows", check.one_of(WINDOW_MODES))
    slots = leaf(fields, "slots", "learning_windows", lambda v, ln, k: _slots(check, v, ln, k))
    if not ok(mode, slots):
        return BAD
    return LearningWindows(mode, slots)


def _weekday_set(check: Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return BAD
    days = []
    for i, item, item_line in items:
        day = check.weekday(item, item_line, f"{key}[{i}]")
        if day is not BAD and day in days:
            check.add(item_line, f"{key}[{i}]", f"'{item}' is listed twice")
        days.append(day)
    return frozenset(days) if ok(*days) else BAD


def _date_set(check: Checker, value: Any, line: int, key: str) -> Any:
    if value is None:  # `holidays:` left empty
        return frozenset()
    items = check.items(value, line, key)
    if items is None:
        return BAD
    days = [check.day(item, item_line, f"{key}[{i}]") for i, item, item_line in items]
    return frozenset(days) if ok(*days) else BAD


def _time_range(check: Checker, value: Any, line: int, key: str) -> Any:
    if not isinstance(value, MarkedList) or len(value) != 2:
        return check.add(line, key, 'must be a pair ["HH:MM", "HH:MM"] (start, end)')
    start = check.clock(value[0], value.lines[0], f"{key}[0]")
    end = check.clock(value[1], value.lines[1], f"{key}[1]")
    if not ok(start, end):
        return BAD
    if start >= end:
        return check.add(line, key, f"start {start:%H:%M} must be before end {end:%H:%M}")
    return TimeRange(start, end)


def _working_hours(check: Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return BAD
    ranges = [
        (_time_range(check, item, item_line, f"{key}[{i}]"), item_line, i)
        for i, item, item_line in items
    ]
    if not ok(*(r for r, _, _ in ranges)):
        return BAD
    ordered = sorted(ranges, key=lambda r: r[0].start)
    for (before, _, _), (after, after_line, i) in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            check.add(
                after_line,
                f"{key}[{i}]",
                f"overlaps the range {before.start:%H:%M}-{before.end:%H:%M}",
            )
    return tuple(r for r, _, _ in ordered)


def _slots(check: Checker, value: Any, line: int, key: str) -> Any:
    if value is None:  # no window at all: working time is never for learning
        return ()
    items = check.items(value, line, key)
    if items is None:
        return BAD
    slots = []
    for i, item, item_line in items:
        slot_key = f"{key}[{i}]"
        fields = check.section(item, item_line, slot_key, SLOT_KEYS)
        weekday = leaf(fields, "weekday", slot_key, check.weekday)
        week = leaf(fields, "week", slot_key, check.one_of(WEEK_KINDS))
        start = leaf(fields, "start", slot_key, check.clock)
        end = leaf(fields, "end", slot_key, check.clock)
        if ok(start, end) and start >= end:
            check.add(item_line, slot_key, f"start {start:%H:%M} must be before end {end:%H:%M}")
            start = BAD
        slots.append(
            WindowSlot(weekday, week, start, end) if ok(weekday, week, start, end) else BAD
        )
    return tuple(slots) if ok(*slots) else BAD
