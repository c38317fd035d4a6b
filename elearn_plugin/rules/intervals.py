"""Half-open UTC intervals: stays, suspensions and freezes, merged, clipped and measured.

Pure helpers of `rules.month_verdicts`; kept apart so the verdict module holds the rules only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def as_utc(when: datetime, what: str) -> datetime:
    """An aware instant in UTC; naive times are refused because they name no instant.

    A time already in UTC is returned as it is: the loader hands over UTC instants only, and
    a month close converts several hundred thousand of them per chunk.
    """
    if when.tzinfo is UTC:
        return when
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} is naive: pass an aware (UTC) datetime")
    return when.astimezone(UTC)


@dataclass(frozen=True)
class Interval:
    """A half-open UTC interval `[start, end)`: membership, employment, suspension or freeze."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is not UTC:
            object.__setattr__(self, "start", as_utc(self.start, "Interval.start"))
        if self.end.tzinfo is not UTC:
            object.__setattr__(self, "end", as_utc(self.end, "Interval.end"))
        if self.end < self.start:
            raise ValueError(f"interval ends before it starts: {self.start} > {self.end}")


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, non-empty, non-overlapping intervals covering the same time (touching ones join)."""
    items = intervals if isinstance(intervals, tuple | list) else list(intervals)
    if len(items) < 2:
        # Most learners have one stay and no block: nothing to sort or join, and a merged
        # tuple of one is returned as it is.
        if not items or items[0].end <= items[0].start:
            return ()
        return items if isinstance(items, tuple) else (items[0],)
    merged: list[Interval] = []
    for item in sorted(items, key=lambda i: (i.start, i.end)):
        if item.end <= item.start:
            continue
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return tuple(merged)


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> tuple[Interval, ...]:
    """The merged parts of intervals inside `[start, end)`."""
    out = []
    for i in merge(intervals):
        if start <= i.start and i.end <= end:
            out.append(i)  # inside already: the same interval, not a copy
            continue
        a, b = max(i.start, start), min(i.end, end)
        if a < b:
            out.append(Interval(a, b))
    return tuple(out)


def length(intervals: Iterable[Interval]) -> timedelta:
    return sum((i.end - i.start for i in intervals), timedelta())


def overlap(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> timedelta:
    """Total time both merged interval sets cover."""
    total = timedelta()
    for x in a:
        for y in b:
            start, end = max(x.start, y.start), min(x.end, y.end)
            if start < end:
                total += end - start
    return total


def effective_due(due_at: datetime, blocked: Iterable[Interval]) -> datetime:
    """The due time shifted out of blocked stretches: `[s, e)` holding it gives `e + (due - s)`."""
    due = as_utc(due_at, "due_at")
    for block in merge(blocked):
        if block.start <= due < block.end:
            due = due + (block.end - block.start)
    return due
