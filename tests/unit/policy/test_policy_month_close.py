"""The policy's `month_close` section: the edge cases of judging a month and the guard on mass
sanctions (P-16, P-21..P-23); defaults, and every bad value refused with its key and line."""

import pytest

from elearn_plugin.policy import PolicyError, PolicyProblem
from elearn_plugin.policy.loader import load_policy, parse_policy
from elearn_plugin.policy.schema import MonthCloseRule
from tests.unit.policy.helpers import DEFAULT, DEFAULT_TEXT, line_of, variant

DEMO = DEFAULT.parents[2] / "conf" / "demo" / "policy.yaml"
SECTION_START = "month_close:"


def problems_of(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    return info.value.problems


def only(text: str, key: str) -> PolicyProblem:
    problems = problems_of(text)
    found = [p for p in problems if p.key == key]
    assert len(found) == 1 and len(problems) == 1, problems
    return found[0]


def without_section() -> str:
    """The default file with the whole `month_close` section cut off."""
    head, _, tail = DEFAULT_TEXT.partition("\n" + SECTION_START)
    assert tail, "month_close is not in default.yaml"
    rest = tail.splitlines(keepends=True)[1:]
    while rest and (rest[0].startswith(" ") or not rest[0].strip()):
        rest.pop(0)
    return head + "\n" + "".join(rest)


def test_defaults():  # P-16, P-21..P-23
    rule = load_policy(DEFAULT).month_close
    assert rule == MonthCloseRule(
        hired_mid_month="prorate",
        left_mid_month="exempt",
        blocked_days="exempt",
        shift_due_in_block=True,
        quota_capped_by_assignable=True,
        guard_share=0.05,
        guard_min_count=10,
    )


def test_the_demo_policy_keeps_the_defaults():
    assert load_policy(DEMO).month_close == load_policy(DEFAULT).month_close


@pytest.mark.parametrize(
    ("name", "value"),
    [("hired_mid_month", "exempt"), ("hired_mid_month", "full"), ("left_mid_month", "prorate")],
)
def test_each_choice_is_read(name, value):
    default = {"hired_mid_month": "prorate", "left_mid_month": "exempt"}[name]
    text = variant((f"  {name}: {default} ", f"  {name}: {value} "))
    assert getattr(parse_policy(text).month_close, name) == value


def test_values_are_read():
    text = variant(
        ("  blocked_days: exempt ", "  blocked_days: count "),
        ("  shift_due_in_block: true ", "  shift_due_in_block: false "),
        ("  quota_capped_by_assignable: true ", "  quota_capped_by_assignable: false "),
        ("    share: 0.05 ", "    share: 1 "),
        ("    min_count: 10 ", "    min_count: 0 "),
    )
    rule = parse_policy(text).month_close
    assert rule.blocked_days == "count"
    assert rule.shift_due_in_block is False
    assert rule.quota_capped_by_assignable is False
    assert rule.guard_share == 1.0
    assert rule.guard_min_count == 0


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            "  hired_mid_month: prorate ",
            "  hired_mid_month: half ",
            "month_close.hired_mid_month",
            "unknown value 'half': use one of exempt, prorate, full",
        ),
        (
            "  hired_mid_month: prorate ",
            "  hired_mid_month: true ",
            "month_close.hired_mid_month",
            "use one of exempt, prorate, full",
        ),
        (
            "  left_mid_month: exempt ",
            "  left_mid_month: Exempt ",
            "month_close.left_mid_month",
            "unknown value 'Exempt'",
        ),
        (
            "  blocked_days: exempt ",
            "  blocked_days: prorate ",
            "month_close.blocked_days",
            "unknown value 'prorate': use one of exempt, count",
        ),
        (
            "  shift_due_in_block: true ",
            "  shift_due_in_block: 1 ",
            "month_close.shift_due_in_block",
            "must be true or false",
        ),
        (
            "  quota_capped_by_assignable: true ",
            "  quota_capped_by_assignable: yes please ",
            "month_close.quota_capped_by_assignable",
            "must be true or false",
        ),
        ("    share: 0.05 ", "    share: 5 ", "month_close.guard.share", "write 5 % as 0.05"),
        ("    share: 0.05 ", "    share: -0.1 ", "month_close.guard.share", "between 0 and 1"),
        ("    share: 0.05 ", "    share: 500 ", "month_close.guard.share", "between 0 and 1"),
        ("    share: 0.05 ", "    share: lots ", "month_close.guard.share", "must be a number"),
        (
            "    min_count: 10 ",
            "    min_count: -1 ",
            "month_close.guard.min_count",
            "must not be negative",
        ),
        (
            "    min_count: 10 ",
            "    min_count: 2.5 ",
            "month_close.guard.min_count",
            "must be a whole number",
        ),
        (
            "    min_count: 10 ",
            "    min_count: true ",
            "month_close.guard.min_count",
            "must be a whole number",
        ),
    ],
)
def test_bad_values_are_refused_with_key_and_line(old, new, key, message):
    text = variant((old, new))
    problem = only(text, key)
    assert message in problem.message
    assert problem.line == line_of(text, new.strip())
    assert problem.file == "p.yaml"


def test_every_bad_value_is_reported_at_once():
    text = variant(
        ("  hired_mid_month: prorate ", "  hired_mid_month: never "),
        ("  blocked_days: exempt ", "  blocked_days: skip "),
        ("    min_count: 10 ", "    min_count: -3 "),
    )
    keys = {p.key for p in problems_of(text)}
    assert keys == {
        "month_close.hired_mid_month",
        "month_close.blocked_days",
        "month_close.guard.min_count",
    }


def test_a_missing_section_is_reported():
    text = without_section()
    assert "hired_mid_month" not in text and "completion:" in text
    problem = only(text, "month_close")
    assert problem.message == "missing key"


def test_a_missing_key_is_reported_with_the_section_line():
    text = variant(("  blocked_days: exempt ", "  # blocked_days: exempt "))
    problem = only(text, "month_close.blocked_days")
    assert problem.message == "missing key"
    assert problem.line == line_of(text, SECTION_START)


def test_a_missing_guard_key_is_reported():
    text = variant(("    min_count: 10 ", "    # min_count: 10 "))
    problem = only(text, "month_close.guard.min_count")
    assert problem.message == "missing key"
    assert problem.line == line_of(text, "  guard:")


def test_an_unknown_key_is_refused_with_a_suggestion():
    text = variant(("  blocked_days: exempt ", "  blocked_day: exempt "))
    problems = {p.key: p for p in problems_of(text)}
    assert set(problems) == {"month_close.blocked_day", "month_close.blocked_days"}
    assert "did you mean 'blocked_days'?" in problems["month_close.blocked_day"].message
    assert problems["month_close.blocked_day"].line == line_of(text, "blocked_day:")


def test_a_guard_that_is_not_a_mapping_is_refused():
    text = variant(
        ("  guard:                        #", "  guard: 0.05                   #"),
        ("    share: 0.05 ", "  # share: 0.05 "),
        ("    min_count: 10 ", "  # min_count: 10 "),
    )
    problem = only(text, "month_close.guard")
    assert "must be a mapping of keys" in problem.message
    assert problem.line == line_of(text, "  guard:")
