"""The policy loader: the default file loads; every kind of broken file is refused with its
file, line and key, and every problem is reported at once (P-16..P-25 numbers are settings)."""

from datetime import date, time
from decimal import Decimal

import pytest

from elearn_plugin.policy import PolicyError, PolicyProblem
from elearn_plugin.policy.loader import load_policy, parse_policy
from tests.unit.policy.helpers import DEFAULT, DEFAULT_TEXT, line_of, variant


def problems_of(text: str, source: str = "p.yaml") -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source)
    assert info.value.problems, "a PolicyError must carry its problems"
    return info.value.problems


def only(text: str, key: str) -> PolicyProblem:
    found = [p for p in problems_of(text) if p.key == key]
    assert len(found) == 1, found
    return found[0]


def test_default_file_loads_with_every_number():
    # P-16, P-22, P-23, P-4, P-24, P-25, P-20, P-18, P-17: the defaults of POLICY.md.
    policy = load_policy(DEFAULT)
    assert policy.source == str(DEFAULT)
    assert policy.version == 1
    assert policy.effective_from == date(2026, 1, 1)
    assert str(policy.tz) == "Asia/Shanghai"
    assert policy.quota.required_courses_per_month == 2
    assert policy.quota.reminder_email is True
    assert policy.missed_tasks.per_month_to_suspend == 3
    assert policy.missed_tasks.suspension_days == 30
    assert policy.revocation.months_with_misses == 3
    assert policy.revocation.window_months == 12
    assert policy.sharing.action == "flag"
    assert policy.sharing.suspension_days == 7
    assert policy.online_hours_cap.default_share == pytest.approx(0.30)
    assert policy.online_hours_cap.travel_heavy_share == pytest.approx(0.50)
    assert policy.rankings.top_n == 10
    assert policy.rankings.periods == ("month", "quarter", "half_year", "year")
    assert policy.credits.default_per_course == Decimal("1.0")
    assert policy.credits.points_per_contribution == Decimal("5")  # P-12
    assert policy.calendar.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert policy.calendar.big_week_extra_weekday == 5
    assert policy.calendar.big_week_anchor == date(2026, 1, 5)
    assert [(r.start, r.end) for r in policy.calendar.working_hours] == [
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    ]
    assert [(s.weekday, s.week) for s in policy.learning_windows.slots] == [
        (2, "any"),
        (4, "small"),
        (5, "big"),
    ]
    assert policy.video.end_tolerance_seconds == 1.0
    assert policy.video.max_playback_rate == 2.0


def test_policy_is_frozen():
    policy = load_policy(DEFAULT)
    with pytest.raises(AttributeError):
        policy.quota.required_courses_per_month = 5  # type: ignore[misc]


def test_changed_numbers_are_read():
    # P-16: "2 courses" is a default an operator can change.
    text = variant(("required_courses_per_month: 2", "required_courses_per_month: 4"))
    assert parse_policy(text, "p.yaml").quota.required_courses_per_month == 4


def test_unknown_key_named_with_line_and_suggestion():
    text = variant(("  reminder_email: true", "  reminder_email: true\n  reminder_emial: true"))
    problem = only(text, "quota.reminder_emial")
    assert problem.file == "p.yaml"
    assert problem.line == line_of(text, "reminder_emial")
    assert "unknown key" in problem.message and "reminder_email" in problem.message


def test_missing_key_named():
    text = variant(("  suspension_days: 30\n", ""))
    problem = only(text, "missed_tasks.suspension_days")
    assert "missing" in problem.message
    assert problem.line == line_of(text, "missed_tasks:")


def test_missing_section_named():
    start = DEFAULT_TEXT.index("credits:")
    end = DEFAULT_TEXT.index("calendar:")
    text = DEFAULT_TEXT[:start] + DEFAULT_TEXT[end:]
    assert "missing" in only(text, "credits").message


def test_bool_is_not_a_count():
    # P-22: a count written as `true` is refused, although Python's bool is an int.
    text = variant(("per_month_to_suspend: 3", "per_month_to_suspend: true"))
    problem = only(text, "missed_tasks.per_month_to_suspend")
    assert "whole number" in problem.message
    assert problem.line == line_of(text, "per_month_to_suspend")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "required_courses_per_month: 2",
            "required_courses_per_month: 0",
            "quota.required_courses_per_month",
        ),
        (
            "per_month_to_suspend: 3",
            "per_month_to_suspend: -1",
            "missed_tasks.per_month_to_suspend",
        ),
        ("suspension_days: 30", "suspension_days: 0", "missed_tasks.suspension_days"),
        ("months_with_misses: 3", "months_with_misses: 0", "revocation.months_with_misses"),
        ("top_n: 10", "top_n: 0", "rankings.top_n"),
        ("unit_level: 1", "unit_level: -1", "online_hours_cap.unit_level"),
        (
            "report_interval_seconds: 20",
            "report_interval_seconds: 0",
            "video.report_interval_seconds",
        ),
    ],
)
def test_counts_that_must_be_positive(old, new, key):
    # P-16, P-22, P-23, P-25, P-24: zero or negative counts make no sense.
    text = variant((old, new))
    problem = only(text, key)
    assert "at least" in problem.message or "negative" in problem.message
    assert problem.line == line_of(text, new)


def test_count_written_as_float_is_refused():
    text = variant(("top_n: 10", "top_n: 10.5"))
    assert "whole number" in only(text, "rankings.top_n").message


def test_share_written_as_percentage():
    # P-24: 30 instead of 0.30.
    text = variant(("default_share: 0.30", "default_share: 30"))
    problem = only(text, "online_hours_cap.default_share")
    assert "write 30 % as 0.30" in problem.message
    assert problem.line == line_of(text, "default_share")


@pytest.mark.parametrize("value", ["-0.1", "150", "1.5e3"])
def test_share_outside_zero_one(value):
    # P-24
    text = variant(("travel_heavy_share: 0.50", f"travel_heavy_share: {value}"))
    assert "between 0 and 1" in only(text, "online_hours_cap.travel_heavy_share").message


def test_travel_heavy_share_below_default():
    # P-24: travel-heavy units get at least the default share.
    text = variant(("travel_heavy_share: 0.50", "travel_heavy_share: 0.20"))
    problem = only(text, "online_hours_cap.travel_heavy_share")
    assert "default_share" in problem.message


def test_revocation_window_shorter_than_months():
    # P-23
    text = variant(("window_months: 12", "window_months: 2"))
    assert "months_with_misses" in only(text, "revocation.window_months").message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("action: flag ", "action: ban ", "sharing.action"),
        ("mode: flag ", "mode: stop ", "learning_windows.mode"),
        (
            "periods: [month, quarter, half_year, year]",
            "periods: [month, week]",
            "rankings.periods[1]",
        ),
        ("week: small", "week: short", "learning_windows.slots[1].week"),
    ],
)
def test_unknown_enum_values(old, new, key):
    # P-4, P-18, P-25
    text = variant((old, new))
    problem = only(text, key)
    assert "unknown value" in problem.message and "use one of" in problem.message
    assert problem.line == line_of(text, new.strip())


def test_bool_expected():
    text = variant(("quota_met_only: true", "quota_met_only: 1"))
    assert "true or false" in only(text, "rankings.quota_met_only").message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("effective_from: 2026-01-01", "effective_from: 2026-13-01", "effective_from"),
        ("effective_from: 2026-01-01", "effective_from: soon", "effective_from"),
        ("effective_from: 2026-01-01", "effective_from: 2026-01-01 10:00:00", "effective_from"),
        ("anchor: 2026-01-05", "anchor: 2026-02-30", "calendar.big_week.anchor"),
        ("holidays: []", "holidays: [2026-10-01, 2026-10-32]", "calendar.holidays[1]"),
    ],
)
def test_bad_dates(old, new, key):
    text = variant((old, new))
    problem = only(text, key)
    assert "date" in problem.message
    assert problem.line == line_of(text, new.split(":")[0])


def test_quoted_dates_are_accepted():
    text = variant(("holidays: []", 'holidays: ["2026-10-01"]'))
    assert parse_policy(text, "p.yaml").calendar.holidays == frozenset({date(2026, 10, 1)})


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "8"])
def test_bad_time_zone(zone):
    text = variant(("timezone: Asia/Shanghai", f"timezone: {zone!r}" if zone else "timezone:"))
    problem = only(text, "timezone")
    assert "time zone" in problem.message
    assert problem.line == line_of(text, "timezone:")


def test_window_start_after_end():
    # P-18
    text = variant(
        (
            '{weekday: wed, week: any, start: "16:30", end: "17:30"}',
            '{weekday: wed, week: any, start: "17:30", end: "16:30"}',
        )
    )
    problem = only(text, "learning_windows.slots[0]")
    assert "before end" in problem.message
    assert problem.line == line_of(text, "weekday: wed")


def test_impossible_time_of_day():
    # P-18
    text = variant(
        ('{weekday: sat, week: big, start: "16:30"', '{weekday: sat, week: big, start: "25:00"')
    )
    problem = only(text, "learning_windows.slots[2].start")
    assert "'25:00'" in problem.message and "HH:MM" in problem.message


def test_unknown_weekday_name():
    # P-18
    text = variant(("{weekday: fri,", "{weekday: friday,"))
    problem = only(text, "learning_windows.slots[1].weekday")
    assert "unknown weekday 'friday'" in problem.message


def test_unknown_key_in_slot():
    text = variant(("{weekday: fri,", "{weekday: fri, day: fri,"))
    assert "unknown key" in only(text, "learning_windows.slots[1].day").message


def test_slot_outside_working_hours_is_fine():
    # P-18: a window may lie outside working hours (it simply changes nothing).
    text = variant(
        (
            '{weekday: sat, week: big, start: "16:30", end: "17:30"}',
            '{weekday: sat, week: big, start: "19:00", end: "20:00"}',
        )
    )
    assert parse_policy(text, "p.yaml").learning_windows.slots[2].start == time(19, 0)


def test_unquoted_times_are_read_as_times():
    # YAML 1.1 would read 16:30 as the number 990.
    text = variant(
        (
            'start: "16:30", end: "17:30"}\n    - {weekday: fri',
            "start: 16:30, end: 17:30}\n    - {weekday: fri",
        )
    )
    slot = parse_policy(text, "p.yaml").learning_windows.slots[0]
    assert (slot.start, slot.end) == (time(16, 30), time(17, 30))


def test_working_hours_problems():
    # P-18
    text = variant(('- ["13:30", "17:30"]', '- ["11:00", "17:30"]'))
    problem = only(text, "calendar.working_hours[1]")
    assert "overlaps" in problem.message
    text = variant(('- ["08:30", "12:00"]', '- ["08:30"]'))
    assert "pair" in only(text, "calendar.working_hours[0]").message


def test_extra_weekday_already_working():
    text = variant(("extra_weekday: sat", "extra_weekday: fri"))
    assert "already" in only(text, "calendar.big_week.extra_weekday").message


def test_holiday_also_swapped_working_day():
    text = variant(
        ("holidays: []", "holidays: [2026-10-01]"),
        ("swapped_working_days: []", "swapped_working_days: [2026-10-01]"),
    )
    assert "2026-10-01" in only(text, "calendar.swapped_working_days").message


def test_duplicate_key_refused():
    text = variant(("  top_n: 10", "  top_n: 10\n  top_n: 20"))
    problem = only(text, "rankings.top_n")
    assert "twice" in problem.message
    assert problem.line == line_of(text, "top_n: 20")


def test_video_limits():
    # P-17
    text = variant(
        ("end_tolerance_seconds: 1.0", "end_tolerance_seconds: 1.5"),
        ("max_playback_rate: 2.0", "max_playback_rate: 3"),
    )
    problems = {p.key: p for p in problems_of(text)}
    assert "at most 1" in problems["video.end_tolerance_seconds"].message
    assert "at most 2" in problems["video.max_playback_rate"].message


def test_rate_slack_percentage():
    # P-17
    text = variant(("rate_slack: 0.10", "rate_slack: 10"))
    assert "write 10 % as 0.10" in only(text, "video.rate_slack").message


def test_every_problem_reported_at_once():
    text = variant(
        ("version: 1", "version: 2"),
        ("per_month_to_suspend: 3", "per_month_to_suspend: x"),
        ("default_share: 0.30", "default_share: 30"),
        ("extra_weekday: sat", "extra_weekday: caturday"),
        ("duration_mismatch_seconds: 2.0", "duration_mismatch_seconds: -1"),
    )
    keys = {p.key for p in problems_of(text)}
    assert keys == {
        "version",
        "missed_tasks.per_month_to_suspend",
        "online_hours_cap.default_share",
        "calendar.big_week.extra_weekday",
        "video.duration_mismatch_seconds",
    }


def test_wrong_section_type():
    text = variant(
        (
            "credits:                        # P-20\n  default_per_course: 1.0\n"
            "  points_per_contribution: 5    # P-12: an approved learner contribution",
            "credits: 1.0",
        )
    )
    assert "mapping" in only(text, "credits").message


def test_yaml_syntax_error_with_line():
    text = variant(("  top_n: 10", "  top_n: [10"))
    (problem,) = problems_of(text)
    assert "YAML syntax error" in problem.message
    assert problem.line is not None and problem.line >= line_of(text, "top_n: [10")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"])
def test_not_a_mapping(text):
    (problem,) = problems_of(text)
    assert "mapping" in problem.message


def test_python_tags_refused():
    # Only safe YAML: no object construction from the file.
    text = "!!python/object/apply:os.system ['true']\n"
    (problem,) = problems_of(text)
    assert "YAML" in problem.message


def test_problem_string_names_file_line_key():
    text = variant(("top_n: 10", "top_n: 0"))
    problem = only(text, "rankings.top_n")
    assert str(problem).startswith(f"p.yaml:{line_of(text, 'top_n')}: rankings.top_n: ")


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "nope.yaml")
    (problem,) = info.value.problems
    assert problem.file.endswith("nope.yaml") and "not found" in problem.message


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path)
    assert "directory" in info.value.problems[0].message


def test_not_utf8(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"version: \xff\xfe\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert "UTF-8" in info.value.problems[0].message
