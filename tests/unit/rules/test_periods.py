"""Periods in the policy's time zone: months tile time, labels round-trip, catch-up."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.rules.periods import (
    Period,
    closed_months_between,
    month_of,
    months_back,
    period_from_label,
    period_of,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
TICK = timedelta(microseconds=1)

zones = st.sampled_from([SHANGHAI, BERLIN, ZoneInfo("America/New_York")])
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)


def test_month_in_shanghai():
    # Periods are calendar months in the policy's zone, stored as UTC.
    month = month_of(datetime(2026, 11, 15, tzinfo=UTC), SHANGHAI)
    assert month.label == "2026-11"
    assert month.start_utc == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert month.end_utc == datetime(2026, 11, 30, 16, tzinfo=UTC)
    # 20:00 UTC on 30 November is already December in Shanghai.
    assert month_of(datetime(2026, 11, 30, 20, tzinfo=UTC), SHANGHAI).label == "2026-12"


def test_month_across_dst_in_berlin():
    month = month_of(datetime(2026, 3, 15, tzinfo=UTC), BERLIN)
    assert month.start_utc == datetime(2026, 2, 28, 23, tzinfo=UTC)  # CET
    assert month.end_utc == datetime(2026, 3, 31, 22, tzinfo=UTC)  # CEST


@pytest.mark.parametrize(
    ("kind", "label", "first", "last"),
    [
        ("quarter", "2026-Q4", (2026, 10), (2026, 12)),
        ("half_year", "2026-H2", (2026, 7), (2026, 12)),
        ("year", "2026", (2026, 1), (2026, 12)),
        ("month", "2026-11", (2026, 11), (2026, 11)),
    ],
)
def test_longer_periods(kind, label, first, last):
    # P-25: rankings by month, quarter, half-year and year.
    period = period_of(kind, datetime(2026, 11, 15, tzinfo=UTC), SHANGHAI)
    assert period.kind == kind and period.label == label
    assert period.start_utc == month_of(datetime(*first, 15, tzinfo=UTC), SHANGHAI).start_utc
    assert period.end_utc == month_of(datetime(*last, 15, tzinfo=UTC), SHANGHAI).end_utc


def test_months_back():
    # P-23: the months counted back from the month being closed.
    november = period_from_label("2026-11", SHANGHAI)
    window = months_back(november, 12)
    assert [p.label for p in window][:2] == ["2025-12", "2026-01"]
    assert window[-1] == november and len(window) == 12
    year = period_from_label("2026", SHANGHAI)
    assert [p.label for p in months_back(year, 2, SHANGHAI)] == ["2026-11", "2026-12"]


def test_closed_months_catch_up():
    # Catch-up: every ended, unprocessed month, even after missed runs.
    now = datetime(2026, 4, 2, tzinfo=UTC)
    assert [p.label for p in closed_months_between("2025-12", now, SHANGHAI)] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert closed_months_between("2026-03", now, SHANGHAI) == []
    started = closed_months_between(None, now, SHANGHAI, not_before=date(2026, 2, 10))
    assert [p.label for p in started] == ["2026-02", "2026-03"]
    # A month processed before the policy took effect does not pull in older months.
    later = closed_months_between("2025-06", now, SHANGHAI, not_before=date(2026, 3, 1))
    assert [p.label for p in later] == ["2026-03"]


def test_month_not_closed_until_its_local_end():
    march = period_from_label("2026-03", SHANGHAI)
    assert closed_months_between("2026-02", march.end_utc - TICK, SHANGHAI) == []
    assert [p.label for p in closed_months_between("2026-02", march.end_utc, SHANGHAI)] == [
        "2026-03"
    ]


@pytest.mark.parametrize(
    "label", ["2026-13", "2026-00", "26-01", "2026-Q5", "2026-H3", "", "2026-1"]
)
def test_bad_labels_refused(label):
    with pytest.raises(ValueError, match="label"):
        period_from_label(label, SHANGHAI)


def test_bad_input_refused():
    with pytest.raises(ValueError, match="naive"):
        month_of(datetime(2026, 1, 1), SHANGHAI)
    with pytest.raises(ValueError, match="unknown period kind"):
        period_of("week", datetime(2026, 1, 1, tzinfo=UTC), SHANGHAI)
    with pytest.raises(ValueError, match="n >= 1"):
        months_back(period_from_label("2026-01", SHANGHAI), 0)
    with pytest.raises(ValueError, match="after_label or not_before"):
        closed_months_between(None, datetime(2026, 1, 1, tzinfo=UTC), SHANGHAI)
    with pytest.raises(ValueError, match="not a month"):
        closed_months_between("2026-Q1", datetime(2026, 9, 1, tzinfo=UTC), SHANGHAI)


@given(instants, zones)
def test_months_tile_time(when, tz):
    # Half-open months in the policy's zone: no gap, no overlap, DST or not.
    month = month_of(when, tz)
    assert month.contains(when)
    assert month.start_utc < month.end_utc
    assert month_of(month.end_utc, tz).start_utc == month.end_utc
    assert month_of(month.start_utc - TICK, tz).end_utc == month.start_utc
    local_start = month.start_utc.astimezone(tz)
    assert (local_start.day, local_start.hour, local_start.minute) == (1, 0, 0)


@given(instants, zones, st.sampled_from(["month", "quarter", "half_year", "year"]))
def test_periods_are_whole_months_and_labels_round_trip(when, tz, kind):
    period = period_of(kind, when, tz)
    assert period.contains(when)
    assert period_from_label(period.label, tz) == period
    assert month_of(period.start_utc, tz).start_utc == period.start_utc
    assert month_of(period.end_utc - TICK, tz).end_utc == period.end_utc


@given(instants, instants, zones)
def test_closed_months_are_contiguous_and_ended(first, now, tz):
    done = month_of(first, tz)
    closed = closed_months_between(done.label, now, tz)
    previous: Period = done
    for month in closed:
        assert month.start_utc == previous.end_utc and month.end_utc <= now
        previous = month
    assert previous.end_utc <= now or previous is done
    assert month_of(previous.end_utc, tz).end_utc > now or previous.end_utc > now


@given(instants, zones, st.integers(min_value=1, max_value=36))
def test_months_back_are_contiguous(when, tz, n):
    # P-23
    month = month_of(when, tz)
    window = months_back(month, n, tz)
    assert len(window) == n and window[-1] == month
    for before, after in zip(window, window[1:], strict=False):
        assert before.end_utc == after.start_utc
