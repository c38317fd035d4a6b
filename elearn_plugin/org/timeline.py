"""Planning a learner's unit history: what HR's dates say, laid over what is recorded (P-1, P-6).

Pure (no database): `plan` takes the recorded memberships of one learner and the stays HR's
records give (the unit joined at the hire, then one stay per transfer, in date order) and
returns either the whole timeline to store or the first `Conflict` with what is recorded.

The file's stays are aligned with the recorded ones by their sequence of units, so that
- the same history again changes nothing,
- a changed date moves the boundary it names (while it stays between its neighbours),
- stays before the first recorded one are added (an organisation loaded first without its
  history, then with it), and stays after the last recorded one are appended (a later
  transfer),
- a recorded unit change after the file's last transfer (made on the platform) is kept, and
  the file's dates must come before it;
anything else contradicts what is recorded, and is refused rather than rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

# Where a stay's start comes from, so that a conflict names the record to fix.
HIRED = "hired"  # the hire date given now
JOINED = "joined"  # the recorded start (or the load), no hire date given
TRANSFER = "transfer"  # the given transfer `index`
RECORDED = "recorded"  # a recorded stay the given history does not cover
LEFT = "left"
UNIT = "unit"  # the unit joined


@dataclass(frozen=True)
class Row:
    """A recorded membership."""

    id: int
    unit_id: int
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Source:
    kind: str
    index: int | None = None  # the transfer's position among the entry's transfers


@dataclass(frozen=True)
class Conflict:
    """Why the given history cannot be stored: `part` is what the caller gave that is wrong;
    `unit_id` and `at` name the stay it collides with."""

    part: Source
    reason: str
    unit_id: int | None = None
    at: datetime | None = None
    recorded_unit_id: int | None = None


@dataclass
class Timeline:
    """The learner's stays to store: `units[i]` from `starts[i]` until the next start, the
    last until `end` (None: still there). `rows[i]` is the recorded row kept for stay `i`."""

    units: list[int]
    starts: list[datetime]
    end: datetime | None
    rows: dict[int, Row] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    def end_of(self, i: int) -> datetime | None:
        return self.starts[i + 1] if i + 1 < len(self.starts) else self.end


def plan(
    rows: Sequence[Row],
    *,
    hire_start: datetime | None,
    known_hire_start: datetime | None,
    joined_unit_id: int | None,
    transfers: Sequence[tuple[datetime, int]],
    left_end: datetime | None,
    current_unit_id: int,
    now: datetime,
) -> Timeline | Conflict:
    """The timeline for one learner, or the conflict with `rows` (their recorded stays).

    `hire_start`/`left_end` are given now (None: keep what is recorded); `known_hire_start`
    is the recorded hire, used when stays are added before the first recorded one. Without
    `joined_unit_id` and `transfers` only the first start and the end change.
    """
    rows = sorted(rows, key=lambda r: r.start)
    if joined_unit_id is None and not transfers:
        units = [r.unit_id for r in rows] or [current_unit_id]
        first = [Source(HIRED if hire_start else JOINED)]
        sources = first + [Source(RECORDED, i) for i in range(1, len(units))]
        starts = [r.start for r in rows] or [known_hire_start or now]
        if hire_start is not None:
            starts[0] = hire_start
        timeline = Timeline(units, starts, _end(rows, left_end), dict(enumerate(rows)), sources)
        return _checked(timeline, left_given=left_end is not None)
    if joined_unit_id is None:  # transfers alone: they start from the recorded first unit
        joined_unit_id = rows[0].unit_id if rows else current_unit_id
    given = [joined_unit_id]
    given += [unit_id for _start, unit_id in transfers]
    offsets = _alignments(rows, given)
    if not offsets:
        return _unit_conflict(rows, given, transfers)
    problems: dict[int, Conflict] = {}
    for offset in offsets:
        timeline = _build(rows, given, transfers, offset, hire_start, known_hire_start, now)
        timeline.end = _end(rows, left_end)
        result = _checked(timeline, left_given=left_end is not None)
        if isinstance(result, Timeline):
            return result
        problems[offset] = result
    # Nothing fits: explain against the recorded history read from its start, as HR reads it.
    return problems.get(0) or _unit_conflict(rows, given, transfers)


def _end(rows: Sequence[Row], left_end: datetime | None) -> datetime | None:
    if left_end is not None:
        return left_end
    return rows[-1].end if rows else None


def _alignments(rows: Sequence[Row], given: list[int]) -> list[int]:
    """Offsets `o` at which the recorded units read as the given ones: `rows[i]` is the given
    stay `o + i` wherever both exist. None recorded: 0."""
    if not rows:
        return [0]
    return [
        offset
        for offset in range(len(given))
        if all(
            rows[i].unit_id == given[offset + i] for i in range(min(len(rows), len(given) - offset))
        )
    ]


def _unit_conflict(
    rows: Sequence[Row], given: list[int], transfers: Sequence[tuple[datetime, int]]
) -> Conflict:
    """The given units read against the recorded ones from the start: the first that differs."""
    i = next(i for i in range(min(len(rows), len(given))) if rows[i].unit_id != given[i])
    part = Source(UNIT) if i == 0 else Source(TRANSFER, i - 1)
    return Conflict(
        part,
        "units",
        unit_id=given[i],
        at=rows[i].start,
        recorded_unit_id=rows[i].unit_id,
    )


def _build(
    rows: Sequence[Row],
    given: list[int],
    transfers: Sequence[tuple[datetime, int]],
    offset: int,
    hire_start: datetime | None,
    known_hire_start: datetime | None,
    now: datetime,
) -> Timeline:
    if hire_start is not None:
        first_start = hire_start
    elif offset == 0 and rows:
        first_start = rows[0].start
    else:
        first_start = known_hire_start or now
    later = list(rows[len(given) - offset :]) if len(rows) > len(given) - offset else []
    units = given + [r.unit_id for r in later]
    starts = [first_start] + [start for start, _unit in transfers] + [r.start for r in later]
    sources = [Source(HIRED if hire_start is not None else JOINED)]
    sources += [Source(TRANSFER, j) for j in range(len(transfers))]
    sources += [Source(RECORDED, len(given) + j) for j in range(len(later))]
    kept = {offset + i: row for i, row in enumerate(rows)}
    return Timeline(units, starts, None, kept, sources)


def _checked(timeline: Timeline, *, left_given: bool) -> Timeline | Conflict:
    """Starts strictly in order and the end after the last start, or the conflict."""
    units, starts, sources = timeline.units, timeline.starts, timeline.sources
    for b in range(1, len(starts)):
        if starts[b] > starts[b - 1]:
            continue
        a = b - 1
        if sources[b].kind == RECORDED:
            return Conflict(sources[a], "before_recorded", units[b], starts[b])
        if sources[a].kind == HIRED:
            return Conflict(sources[a], "hired_after", units[b], starts[b])
        return Conflict(sources[b], "not_after", units[a], starts[a])
    end = timeline.end
    if end is not None and end <= starts[-1]:
        if left_given:
            reason = "left_before_joined" if len(starts) == 1 else "left_before"
            return Conflict(Source(LEFT), reason, units[-1], starts[-1])
        return Conflict(sources[-1], "after_left", units[-1], end)
    return timeline
