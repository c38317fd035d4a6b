"""Watch verification rules (P-17): union of segments, plausibility, completion."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn_plugin.rules import watch

RULES = watch.WatchRules(end_tolerance=1.0, start_tolerance=2.0, rate_slack=0.10, max_rate=1.0)

intervals = st.lists(
    st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 100, allow_nan=False)).map(
        lambda t: (min(t), max(t))
    ),
    max_size=20,
)


# P-17
@given(intervals, st.randoms())
def test_union_is_order_independent(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert watch.union(items) == watch.union(shuffled)


# P-17
@given(intervals)
def test_union_is_idempotent_and_disjoint(items):
    once = watch.union(items)
    assert watch.union(once) == once
    assert watch.union([*items, *items]) == once
    for (a, b), (c, d) in zip(once, once[1:], strict=False):
        assert a < b < c < d


# P-17
@given(intervals)
def test_covered_never_exceeds_span(items):
    assert watch.covered(items) <= 100.0 + 1e-6


def _decide(intervals_, last_seq, since, start, end, duration=60.0, last_report=None):
    return watch.decide(
        intervals=intervals_,
        last_seq=last_seq,
        last_report=last_report,
        since_previous_seconds=since,
        report=watch.Report(last_seq + 1 if last_report is None else last_seq, start, end),
        duration=duration,
        rules=RULES,
    )


# P-17
@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 40, allow_nan=False),  # wall seconds since previous report
            st.floats(0, 60, allow_nan=False),  # start
            st.floats(0, 60, allow_nan=False),  # length
        ),
        max_size=30,
    ),
    st.floats(0.25, 2.0),
)
def test_no_report_sequence_covers_more_than_wall_time_times_rate(reports, rate):
    rules = watch.WatchRules(max_rate=rate, rate_slack=0.1)
    current: tuple = ()
    seq = 0
    wall = 0.0
    since = 0.0
    for gap, start, length in reports:
        wall += gap
        since += gap
        decision = watch.decide(
            intervals=current,
            last_seq=seq,
            last_report=None,
            since_previous_seconds=since,
            report=watch.Report(seq + 1, round(start, 3), round(min(60.0, start + length), 3)),
            duration=60.0,
            rules=rules,
        )
        if decision.accepted:
            current = decision.intervals
            seq += 1
            since = 0.0
    assert watch.covered(current) <= wall * rate * 1.1 + 1e-6


# P-17: seek to the end, then report the end
def test_segment_past_frontier_refused():
    decision = _decide([(0.0, 10.0)], 3, 100.0, 50.0, 60.0)
    assert not decision.accepted and decision.code == watch.BEYOND_FRONTIER


# P-17: a small gap inside the start tolerance is accepted
def test_segment_within_start_tolerance_accepted():
    decision = _decide([(0.0, 10.0)], 3, 100.0, 11.5, 20.0)
    assert decision.accepted and decision.intervals == ((0.0, 10.0), (11.5, 20.0))


# P-17: faster than real time
def test_report_faster_than_wall_clock_refused():
    decision = _decide([(0.0, 10.0)], 1, 5.0, 10.0, 20.0)
    assert not decision.accepted and decision.code == watch.TOO_FAST
    assert _decide([(0.0, 10.0)], 1, 10.0, 10.0, 20.0).accepted


# P-17: replayed and out-of-order sequence numbers
def test_replayed_sequence_is_idempotent_and_older_is_refused():
    dup = _decide([(0.0, 10.0)], 4, 0.0, 5.0, 10.0, last_report=(5.0, 10.0))
    assert dup.accepted and dup.duplicate and dup.added_seconds == 0
    stale = watch.decide(
        intervals=[(0.0, 10.0)],
        last_seq=4,
        last_report=(5.0, 10.0),
        since_previous_seconds=100,
        report=watch.Report(3, 10.0, 12.0),
        duration=60,
        rules=RULES,
    )
    assert not stale.accepted and stale.code == watch.STALE_SEQUENCE
    same_seq_other_segment = watch.decide(
        intervals=[(0.0, 10.0)],
        last_seq=4,
        last_report=(5.0, 10.0),
        since_previous_seconds=100,
        report=watch.Report(4, 10.0, 12.0),
        duration=60,
        rules=RULES,
    )
    assert not same_seq_other_segment.accepted


@pytest.mark.parametrize(
    ("start", "end"), [(-1.0, 5.0), (5.0, 5.0), (6.0, 5.0), (0.0, 60.5), (59.0, 1e9)]
)
# P-17: a segment outside the video
def test_bad_ranges_refused(start, end):
    decision = _decide([], 0, 1e6, start, end)
    assert not decision.accepted and decision.code == watch.BAD_RANGE


# P-17: completion only with full coverage, end tolerance at most 1 s
def test_completion_needs_full_coverage():
    assert watch.is_complete([(0, 59.2)], 60.0, RULES)
    assert not watch.is_complete([(0, 58.5)], 60.0, RULES)
    assert not watch.is_complete([(0, 20), (25, 60)], 60.0, RULES)
    loose = watch.WatchRules(end_tolerance=5.0)
    assert not watch.is_complete([(0, 57)], 60.0, loose)  # capped at 1 s


@pytest.mark.parametrize(
    "body",
    [
        {"seq": 1, "start": math.nan, "end": 5},
        {"seq": 1, "start": 0, "end": math.inf},
        {"seq": 1, "start": -math.inf, "end": 5},
        {"seq": 1, "start": "0", "end": 5},
        {"seq": 1, "start": True, "end": 5},
        {"seq": 1, "start": 0, "end": 1e308},
        {"seq": 1, "start": -3, "end": 5},
        {"seq": 1.0, "start": 0, "end": 5},
        {"seq": 0, "start": 0, "end": 5},
        {"seq": 2**40, "start": 0, "end": 5},
        {"seq": "1", "start": 0, "end": 5},
        {"start": 0, "end": 5},
        {"seq": 1, "end": 5},
        {"seq": 1, "start": None, "end": 5},
        {"seq": 1, "start": [0], "end": 5},
    ],
)
# P-17: NaN, Infinity, negative, huge and non-numeric values
def test_parse_report_refuses_bad_values(body):
    with pytest.raises(watch.WatchInputError):
        watch.parse_report(body)


def test_parse_report_accepts_numbers():
    assert watch.parse_report({"seq": 3, "start": 1, "end": 2.5}) == watch.Report(3, 1.0, 2.5)


# P-4 / P-18 helpers
def test_windows_overlap_and_coalesce():
    assert watch.windows_overlap((0, 10), (5, 15))
    assert not watch.windows_overlap((0, 10), (10, 20))
    assert watch.coalesce_windows([(0, 10), (15, 20), (100, 110)], 40) == ((0, 20), (100, 110))


def test_duration_mismatch():
    assert watch.duration_mismatch(60, 63, 2.0)
    assert not watch.duration_mismatch(60, 61.5, 2.0)


# --- issue 11: gaps, huge numbers, breaks, agreement ----------------------------------------

DURATION = 60.0


def _cover_with_gap(gap_start: float, gap: float) -> list[tuple[float, float]]:
    return [(0.0, gap_start), (gap_start + gap, DURATION)]


# P-17: up to the end tolerance may be missing at the end only, never inside the video
@settings(max_examples=300)
@given(
    st.floats(0.0, DURATION - 2.0, allow_nan=False),
    st.floats(0.01, 1.0, allow_nan=False),
)
def test_a_gap_inside_the_video_is_never_complete(gap_start, gap):
    assert not watch.is_complete(_cover_with_gap(round(gap_start, 3), round(gap, 3)), 60.0, RULES)


# P-17: a missing start is a gap too
@given(st.floats(0.01, 1.0, allow_nan=False))
def test_a_missing_start_is_never_complete(missing):
    assert not watch.is_complete([(round(missing, 3), DURATION)], DURATION, RULES)


# P-17: only the end may be short, by at most the end tolerance
@given(st.floats(0.0, 1.0, allow_nan=False), st.floats(0.0, 5.0, allow_nan=False))
def test_the_end_may_be_short_by_the_tolerance(short, tolerance):
    rules = watch.WatchRules(end_tolerance=tolerance)
    end = round(DURATION - short, 3)
    expected = DURATION - end <= min(tolerance, 1.0) + 1e-9
    assert watch.is_complete([(0.0, end)], DURATION, rules) == expected


# P-17: contiguous segments, however they were cut and rounded, complete the video
@given(st.lists(st.floats(0.0, DURATION, allow_nan=False), max_size=30))
def test_contiguous_segments_complete(cuts):
    points = sorted({0.0, DURATION, *(round(c, 3) for c in cuts)})
    segments = list(zip(points, points[1:], strict=False))
    assert watch.is_complete(segments, DURATION, RULES)
    assert watch.gaps(segments) == ()


# P-17: a gap within the rounding epsilon is not a gap
def test_rounding_gaps_are_not_gaps():
    assert watch.is_complete([(0.0, 30.0), (30.001, 60.0)], DURATION, RULES)
    assert watch.gaps([(0.0, 30.0), (30.01, 60.0)]) == ((30.0, 30.01),)


# P-17: integers too large for a float are out of range, never an OverflowError
@pytest.mark.parametrize("field", ["start", "end"])
def test_parse_report_refuses_huge_integers(field):
    body = {"seq": 1, "start": 0, "end": 5, field: 10**400}
    with pytest.raises(watch.WatchInputError) as refused:
        watch.parse_report(body)
    assert refused.value.code == "out_of_range"
    with pytest.raises(watch.WatchInputError):
        watch.finite_number(-(10**400), "x", low=0.0, high=1.0)


# P-18, P-34: a window after a break is never joined to the one before it
@given(
    st.lists(
        st.tuples(st.floats(0, 1e4, allow_nan=False), st.floats(0, 50, allow_nan=False)),
        min_size=1,
        max_size=10,
    ),
    st.integers(0, 9),
)
def test_coalesce_never_joins_across_a_break(items, at):
    windows = [[a, a + d] for a, d in sorted(items)]
    at = min(at, len(windows) - 1)
    windows[at] = [*windows[at], 1]
    joined = watch.coalesce_windows(windows, 1e9)
    start = windows[at][0]
    before = [w[1] for i, w in enumerate(windows) if i != at and w[0] <= start]
    if before and max(before) < start:
        # A gap before the break: it is never bridged.
        assert any(a == start for a, _b in joined)
    # Learning periods never overlap: no second counts twice.
    for (_a, b), (c, _d) in zip(joined, joined[1:], strict=False):
        assert b < c


# P-17: one learner (one value) or disagreeing learners never make an agreed duration
@given(
    st.lists(st.floats(0, 1000, allow_nan=False), max_size=20),
    st.floats(0, 5, allow_nan=False),
    st.integers(1, 5),
)
def test_agreed_media_duration_needs_a_quorum_within_tolerance(values, tolerance, quorum):
    agreed = watch.agreed_media_duration(values, tolerance, quorum)
    if agreed is None:
        return
    near = [v for v in values if abs(v - agreed) <= tolerance + 1e-6]
    assert len(near) >= quorum


def test_agreed_media_duration_examples():
    assert watch.agreed_media_duration([30.0], 2.0, 3) is None
    assert watch.agreed_media_duration([30.0, 30.0, 30.0], 2.0, 3) == 30.0
    assert watch.agreed_media_duration([30.0, 31.0, 5.0, 90.0], 2.0, 3) is None
    assert watch.agreed_media_duration([30.0, 31.0, 30.5, 5.0, 90.0], 2.0, 3) == 30.5
    # The larger group wins.
    assert watch.agreed_media_duration([10, 10.5, 11, 50, 50, 50, 50.5], 2.0, 3) == 50.0
