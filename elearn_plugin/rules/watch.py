"""Watch verification (P-17): which reported segments prove watching, and when a video is done.

Plain data in, decisions out. The server decides from its own clock and the stored progress;
the browser only claims segments `[start, end)` of media time with a sequence number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Interval = tuple[float, float]

MAX_SEQ = 2**31 - 1
MAX_DURATION_SECONDS = 24 * 3600.0
_PRECISION = 3
# Gaps between watched intervals up to this size are rounding, not skipping (two units of the
# stored precision: both ends of a gap are rounded to it).
GAP_EPSILON = 2 * 10.0**-_PRECISION


class WatchInputError(ValueError):
    """A report field is missing or not a finite number in range; `code` names the problem."""

    def __init__(self, code: str, field: str):
        super().__init__(f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class WatchRules:
    """The policy's `video` numbers, with the rate already capped for this video."""

    end_tolerance: float = 1.0
    start_tolerance: float = 2.0
    rate_slack: float = 0.10
    max_rate: float = 1.0


@dataclass(frozen=True)
class Report:
    seq: int
    start: float
    end: float


@dataclass(frozen=True)
class Decision:
    """The outcome of one report. `intervals` is the new watched set when accepted."""

    accepted: bool
    code: str
    intervals: tuple[Interval, ...] = ()
    added_seconds: float = 0.0
    complete: bool = False
    duplicate: bool = False
    frontier: float = 0.0  # of `intervals`
    watched_seconds: float = 0.0  # covered by `intervals`


# Codes a refusal can carry; the shell maps each to a translated message and an HTTP status.
OK = "ok"
DUPLICATE = "duplicate"
STALE_SEQUENCE = "stale_sequence"
BAD_RANGE = "bad_range"
BEYOND_FRONTIER = "beyond_frontier"
TOO_FAST = "too_fast"


def finite_number(value: object, field: str, *, low: float, high: float) -> float:
    """A finite float within [low, high]; booleans, strings, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WatchInputError("not_a_number", field)
    if isinstance(value, int) and not -(2**53) <= value <= 2**53:
        # float() of a 400-digit integer raises OverflowError; no bound here is that large.
        raise WatchInputError("out_of_range", field)
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise WatchInputError("not_finite", field)
    if number < low or number > high:
        raise WatchInputError("out_of_range", field)
    return number


def parse_report(raw: Mapping[str, object]) -> Report:
    """Validate the numeric fields of a report body (token checked elsewhere)."""
    seq = raw.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise WatchInputError("not_an_integer", "seq")
    if seq < 1 or seq > MAX_SEQ:
        raise WatchInputError("out_of_range", "seq")
    start = finite_number(raw.get("start"), "start", low=0.0, high=MAX_DURATION_SECONDS)
    end = finite_number(raw.get("end"), "end", low=0.0, high=MAX_DURATION_SECONDS)
    return Report(seq=seq, start=round(start, _PRECISION), end=round(end, _PRECISION))


def union(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Merge overlapping or touching intervals; the result is sorted and disjoint."""
    rounded = ((round(float(a), _PRECISION), round(float(b), _PRECISION)) for a, b in intervals)
    merged: list[list[float]] = []
    for start, end in sorted((a, b) for a, b in rounded if b > a):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


def covered(intervals: Iterable[Interval]) -> float:
    """Seconds of media covered by the union."""
    return _covered(union(intervals))


def frontier(intervals: Iterable[Interval]) -> float:
    """The furthest point watched; the player may not seek beyond it."""
    return _frontier(union(intervals))


def _covered(merged: tuple[Interval, ...]) -> float:
    return round(sum(b - a for a, b in merged), _PRECISION)


def _frontier(merged: tuple[Interval, ...]) -> float:
    return merged[-1][1] if merged else 0.0


def gaps(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The unwatched parts between 0 and the frontier, rounding gaps (`GAP_EPSILON`) left out."""
    return _gaps(union(intervals))


def _gaps(merged: tuple[Interval, ...]) -> tuple[Interval, ...]:
    found = []
    reached = 0.0
    for start, end in merged:
        if start - reached > GAP_EPSILON:
            found.append((reached, start))
        reached = end
    return tuple(found)


def is_complete(intervals: Iterable[Interval], duration: float, rules: WatchRules) -> bool:
    """Watched to the end: every part from 0 played, only the end short by `end_tolerance`.

    A gap inside the video is never tolerated (beyond rounding, `GAP_EPSILON`); the tolerance
    (at most one second) is for the end only, where the media may stop a little early.
    """
    return _is_complete(union(intervals), duration, rules)


def _is_complete(merged: tuple[Interval, ...], duration: float, rules: WatchRules) -> bool:
    tolerance = min(rules.end_tolerance, 1.0)
    return duration > 0 and _frontier(merged) >= duration - tolerance and not _gaps(merged)


def allowed_media_seconds(wall_seconds: float, rules: WatchRules) -> float:
    """Most media time that `wall_seconds` of real time can cover at the allowed rate."""
    return max(0.0, wall_seconds) * rules.max_rate * (1.0 + rules.rate_slack)


def decide(
    *,
    intervals: Iterable[Interval],
    last_seq: int,
    last_report: Interval | None,
    since_previous_seconds: float,
    report: Report,
    duration: float,
    rules: WatchRules,
) -> Decision:
    """Accept or refuse one report of the session that currently owns the progress.

    `since_previous_seconds` is server-clock time since this session's previous accepted
    report (or since the session was issued). A refused report changes nothing.
    """
    current = union(intervals)
    if report.seq == last_seq and last_report == (report.start, report.end):
        return Decision(
            True,
            DUPLICATE,
            current,
            duplicate=True,
            frontier=_frontier(current),
            watched_seconds=_covered(current),
        )
    if report.seq <= last_seq:
        return Decision(False, STALE_SEQUENCE)
    if not (0.0 <= report.start < report.end <= duration):
        return Decision(False, BAD_RANGE)
    if report.start > _frontier(current) + rules.start_tolerance:
        return Decision(False, BEYOND_FRONTIER)
    if report.end - report.start > allowed_media_seconds(since_previous_seconds, rules) + 1e-9:
        return Decision(False, TOO_FAST)
    updated = union((*current, (report.start, report.end)))
    watched = _covered(updated)
    return Decision(
        True,
        OK,
        updated,
        added_seconds=round(watched - _covered(current), _PRECISION),
        complete=_is_complete(updated, duration, rules),
        frontier=_frontier(updated),
        watched_seconds=watched,
    )


def windows_overlap(a: Interval, b: Interval) -> bool:
    """Two wall-clock windows (epoch seconds) share some time."""
    return max(a[0], b[0]) < min(a[1], b[1])


def coalesce_windows(
    windows: Iterable[Sequence[float]], gap_seconds: float
) -> tuple[Interval, ...]:
    """Join wall-clock windows separated by at most `gap_seconds` into learning periods.

    A window with a third element that is true starts after a break (learning was switched
    off or the learner blocked meanwhile): no gap before it is bridged (an overlap still
    merges, so no time is counted twice).
    """
    items = sorted(
        (float(w[0]), float(w[1]), bool(w[2]) if len(w) > 2 else False)
        for w in windows
        if w[1] >= w[0]
    )
    joined: list[list[float]] = []
    for start, end, after_break in items:
        reach = gap_seconds if not after_break else 0.0  # overlapping time is never counted twice
        if joined and start - joined[-1][1] <= reach:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return tuple((a, b) for a, b in joined)


def duration_mismatch(authored: float, reported: float, tolerance: float) -> bool:
    """The media's own duration differs from the authored one by more than the tolerance."""
    return abs(authored - reported) > tolerance


def agreed_media_duration(
    observations: Iterable[float], tolerance: float, quorum: int
) -> float | None:
    """The media duration that at least `quorum` learners' observations agree on, or None.

    Agreement: `quorum` or more values no further than `tolerance` apart. The largest such
    group wins (ties: the narrowest, then the shortest values); its median is the answer.
    One learner (one observation each) can therefore never change the block's record.
    """
    values = sorted(float(v) for v in observations)
    best: tuple[int, float, int] | None = None  # (-size, spread, first index)
    low = 0
    for high in range(len(values)):
        while values[high] - values[low] > tolerance:
            low += 1
        size = high - low + 1
        if size >= quorum:
            candidate = (-size, values[high] - values[low], low)
            if best is None or candidate < best:
                best = candidate
    if best is None:
        return None
    size, first = -best[0], best[2]
    group = values[first : first + size]
    middle = size // 2
    return group[middle] if size % 2 else (group[middle - 1] + group[middle]) / 2
