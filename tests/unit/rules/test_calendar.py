"""Working time and learning windows (P-18): explicit cases and properties."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn_plugin.policy.loader import load_policy
from elearn_plugin.rules.calendar import (
    allowed_now,
    classify_interval,
    is_big_week,
    is_working_day,
    next_allowed_start,
    window_intervals,
    working_intervals,
)
from tests.unit.policy.helpers import DEFAULT

POLICY = load_policy(DEFAULT)
CAL = POLICY.calendar
WIN = POLICY.learning_windows
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

# Default calendar: the week of Monday 2026-01-05 is big (anchor), the next one small.
WED = date(2026, 1, 7)
FRI_BIG, SAT_BIG, SUN_BIG = date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 11)
FRI_SMALL, SAT_SMALL = date(2026, 1, 16), date(2026, 1, 17)


def at(day: date, hh: int, mm: int = 0, tz=SHANGHAI) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz).astimezone(UTC)


def classify(day, start, end, cal=CAL, permitted=()):
    return classify_interval(at(day, *start), at(day, *end), cal, WIN, SHANGHAI, permitted)


# --- explicit cases --------------------------------------------------------------------


def test_wednesday_window_is_window():
    # P-18: every Wednesday 16:30-17:30.
    assert classify(WED, (16, 30), (17, 30)) == "window"


def test_wednesday_morning_is_unpermitted():
    # P-18: other working time needs permission.
    assert classify(WED, (10, 0), (10, 30)) == "unpermitted"
    assert not allowed_now(at(WED, 10), CAL, WIN, SHANGHAI)


def test_saturday_of_big_week_is_a_working_day_with_a_window():
    # P-18: Saturday in a big week (大周).
    assert is_big_week(SAT_BIG, CAL) and is_working_day(SAT_BIG, CAL)
    assert classify(SAT_BIG, (16, 30), (17, 30)) == "window"
    assert classify(SAT_BIG, (9, 0), (9, 30)) == "unpermitted"


def test_saturday_of_small_week_is_off_hours():
    # P-18
    assert not is_big_week(SAT_SMALL, CAL) and not is_working_day(SAT_SMALL, CAL)
    assert classify(SAT_SMALL, (16, 30), (17, 30)) == "off_hours"
    assert classify(SAT_SMALL, (10, 0), (11, 0)) == "off_hours"


def test_friday_window_only_in_small_week():
    # P-18: Friday in a small week.
    assert classify(FRI_SMALL, (16, 30), (17, 30)) == "window"
    assert classify(FRI_BIG, (16, 30), (17, 30)) == "unpermitted"


def test_holiday_is_off_hours():
    # P-18: a holiday is not working time, and windows do not open on it.
    cal = replace(CAL, holidays=frozenset({WED}))
    assert not is_working_day(WED, cal)
    assert working_intervals(WED, cal) == []
    assert classify(WED, (10, 0), (11, 0), cal) == "off_hours"
    assert classify(WED, (16, 30), (17, 30), cal) == "off_hours"


def test_swapped_working_sunday_is_working_time():
    # P-18: 调休, a weekend day that is worked.
    cal = replace(CAL, swapped_working_days=frozenset({SUN_BIG}))
    assert is_working_day(SUN_BIG, cal) and not is_working_day(SUN_BIG, CAL)
    assert classify(SUN_BIG, (10, 0), (11, 0), cal) == "unpermitted"
    assert classify(SUN_BIG, (10, 0), (11, 0)) == "off_hours"


def test_evening_and_lunch_are_off_hours():
    # P-18: outside working hours learners study when they like.
    assert classify(WED, (18, 0), (19, 0)) == "off_hours"
    assert classify(WED, (12, 0), (13, 30)) == "off_hours"
    assert classify(WED, (17, 30), (23, 0)) == "off_hours"
    assert allowed_now(at(WED, 18), CAL, WIN, SHANGHAI)


def test_permitted_slot_allows_working_time():
    # P-18: the training contact's permission.
    slot = [(at(WED, 10), at(WED, 11))]
    assert classify(WED, (10, 0), (10, 30), permitted=slot) == "off_hours"
    assert allowed_now(at(WED, 10, 15), CAL, WIN, SHANGHAI, slot)
    assert classify(WED, (10, 30), (11, 30), permitted=slot) == "unpermitted"


def test_most_restrictive_part_wins():
    # P-18: split at boundaries.
    assert classify(WED, (16, 0), (17, 0)) == "unpermitted"
    assert classify(WED, (17, 0), (18, 30)) == "window"
    assert classify(WED, (16, 30), (16, 30)) == "window"


def test_interval_over_several_days():
    start, end = at(SAT_SMALL, 8), at(SAT_SMALL + timedelta(days=1), 20)
    assert classify_interval(start, end, CAL, WIN, SHANGHAI) == "off_hours"
    assert classify_interval(start, end + timedelta(days=1), CAL, WIN, SHANGHAI) == "unpermitted"


def test_window_intervals_of_a_day():
    assert window_intervals(WED, CAL, WIN) == [(time(16, 30), time(17, 30))]
    assert window_intervals(SAT_SMALL, CAL, WIN) == []


def test_next_allowed_start():
    # P-18 in block mode: when play may start.
    assert next_allowed_start(at(WED, 10), CAL, WIN, SHANGHAI) == at(WED, 12)
    assert next_allowed_start(at(WED, 16), CAL, WIN, SHANGHAI) == at(WED, 16, 30)
    thu = WED + timedelta(days=1)
    assert next_allowed_start(at(thu, 14), CAL, WIN, SHANGHAI) == at(thu, 17, 30)
    slot = [(at(thu, 15), at(thu, 16))]
    assert next_allowed_start(at(thu, 14), CAL, WIN, SHANGHAI, slot) == at(thu, 15)
    assert next_allowed_start(at(thu, 19), CAL, WIN, SHANGHAI) == at(thu, 19)


def test_adjacent_working_ranges_are_one_block():
    cal = replace(
        CAL,
        working_hours=(
            CAL.working_hours[0],
            replace(CAL.working_hours[0], start=time(12), end=time(13)),
        ),
    )
    assert next_allowed_start(at(WED, 10), cal, WIN, SHANGHAI) == at(WED, 13)


def test_bad_input_is_refused():
    naive = datetime(2026, 1, 7, 10)
    with pytest.raises(ValueError, match="naive"):
        classify_interval(naive, naive, CAL, WIN, SHANGHAI)
    with pytest.raises(ValueError, match="before"):
        classify_interval(at(WED, 11), at(WED, 10), CAL, WIN, SHANGHAI)
    with pytest.raises(TypeError, match="tz"):
        classify_interval(at(WED, 10), at(WED, 11), CAL, WIN, ())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        classify_interval(at(WED, 10), at(WED, 11), CAL, WIN, SHANGHAI, [(naive, naive)])


# --- properties ------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from([SHANGHAI, BERLIN])
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))


@settings(max_examples=300, deadline=None)
@given(instants, durations, zones)
def test_every_interval_is_classified(start, length, tz):
    # P-18: every instant has exactly one class, consistent with allowed_now.
    result = classify_interval(start, start + length, CAL, WIN, tz)
    assert result in {"window", "off_hours", "unpermitted"}
    point = classify_interval(start, start, CAL, WIN, tz)
    assert (point != "unpermitted") == allowed_now(start, CAL, WIN, tz)


@settings(max_examples=300, deadline=None)
@given(instants, durations, durations, zones)
def test_classification_of_a_split_interval(start, first, second, tz):
    # P-18: the whole is unpermitted iff a part is; else window iff a part is.
    middle, end = start + first, start + first + second
    if start == middle or middle == end:
        return
    whole = classify_interval(start, end, CAL, WIN, tz)
    parts = {
        classify_interval(start, middle, CAL, WIN, tz),
        classify_interval(middle, end, CAL, WIN, tz),
    }
    if "unpermitted" in parts:
        assert whole == "unpermitted"
    elif "window" in parts:
        assert whole == "window"
    else:
        assert whole == "off_hours"


@settings(max_examples=300, deadline=None)
@given(instants, zones)
def test_next_allowed_start_is_the_first_allowed_instant(when, tz):
    # P-18
    found = next_allowed_start(when, CAL, WIN, tz)
    assert found >= when
    assert allowed_now(found, CAL, WIN, tz)
    if found > when:
        assert classify_interval(when, found, CAL, WIN, tz) == "unpermitted"
        assert found - when <= timedelta(hours=24)


@given(days)
def test_big_and_small_weeks_alternate(day):
    # P-18: 大周/小周 alternate from the anchor.
    assert is_big_week(day, CAL) != is_big_week(day + timedelta(days=7), CAL)
    assert is_big_week(day, CAL) == is_big_week(day + timedelta(days=14), CAL)
    monday = day - timedelta(days=day.weekday())
    assert all(
        is_big_week(monday + timedelta(days=i), CAL) == is_big_week(day, CAL) for i in range(7)
    )


@given(days, st.sets(days, max_size=5), st.sets(days, max_size=5))
def test_holidays_are_never_working_days(day, holidays, swapped):
    cal = replace(
        CAL, holidays=frozenset(holidays | {day}), swapped_working_days=frozenset(swapped)
    )
    assert not is_working_day(day, cal)
    assert working_intervals(day, cal) == []
