"""The policy's `completion` and `assignments` sections: defaults, rules flattened one per role
and course, and every bad value refused with its key and line (P-14, P-15, P-17, P-22)."""

from datetime import date

import pytest

from elearn_plugin.policy import PolicyError, PolicyProblem
from elearn_plugin.policy.loader import load_policy, parse_policy
from elearn_plugin.policy.schema import RoleCourseRule
from tests.unit.policy.helpers import DEFAULT, line_of, variant

EMPTY_RULES = "  rules: []                     # job role -> required courses; each rule:"


def with_rules(block: str) -> str:
    return variant((EMPTY_RULES, "  rules:\n" + block.rstrip("\n")))


def problems_of(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    return info.value.problems


def only(text: str, key: str) -> PolicyProblem:
    found = [p for p in problems_of(text) if p.key == key]
    assert len(found) == 1, problems_of(text)
    return found[0]


def test_defaults():  # P-14, P-15, P-17, P-22
    policy = load_policy(DEFAULT)
    assert policy.completion.without_tracked_videos == "not_countable"
    assert policy.completion.builtin_videos == "not_countable"
    assert policy.assignments.electives_are_tasks is False
    assert policy.assignments.elective_target_days == 30
    assert policy.assignments.reminder_days_before == 3
    assert policy.assignments.rules == ()


def test_rules_are_flattened_one_per_role_and_course():  # P-14
    text = with_rules(
        "    - role: clerk\n"
        '      courses: ["course-v1:Org+SAFE101+2026", "course-v1:Org+ETH201+2026"]\n'
        "      due_days: 30\n"
        "    - role: engineer\n"
        "      courses: [course-v1:Org+SAFE101+2026]\n"
        "      due_on: 2026-12-31\n"
        "    - role: sales\n"
        "      courses: []\n"
        "      due_days: 5\n"
    )
    rules = parse_policy(text).assignments.rules
    assert rules == (
        RoleCourseRule("clerk", "course-v1:Org+SAFE101+2026", None, 30),
        RoleCourseRule("clerk", "course-v1:Org+ETH201+2026", None, 30),
        RoleCourseRule("engineer", "course-v1:Org+SAFE101+2026", date(2026, 12, 31), None),
    )


def test_a_role_and_course_listed_twice_names_both_lines():  # P-14
    text = with_rules(
        "    - role: clerk\n"
        '      courses: ["course-v1:Org+SAFE101+2026"]\n'
        "      due_days: 30\n"
        "    - role: clerk\n"
        "      courses:\n"
        '        - "course-v1:Org+ETH201+2026"\n'
        '        - "course-v1:Org+SAFE101+2026"\n'
        "      due_days: 10\n"
    )
    problem = only(text, "assignments.rules[1].courses[1]")
    assert problem.line == line_of(text, '        - "course-v1:Org+SAFE101+2026"')
    first = line_of(text, '      courses: ["course-v1:Org+SAFE101+2026"]')
    assert f"already listed on line {first}" in problem.message


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("      due_days: 3\n      due_on: 2026-12-31\n", "exactly one"),
        ("", "missing key"),
    ],
)
def test_exactly_one_due_rule(due, message):  # P-14
    text = with_rules("    - role: clerk\n      courses: []\n" + due)
    problem = only(text, "assignments.rules[0].due_days")
    assert message in problem.message
    assert problem.line == line_of(text, "    - role: clerk")


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        ("      due_days: 0", "assignments.rules[0].due_days", "at least 1"),
        ("      due_days: true", "assignments.rules[0].due_days", "whole number"),
        ("      due_on: 2026-02-30", "assignments.rules[0].due_on", "not a valid date"),
        ("      due_on: soon", "assignments.rules[0].due_on", "YYYY-MM-DD"),
    ],
)
def test_bad_due_values(line, key, message):  # P-14
    text = with_rules("    - role: clerk\n      courses: []\n" + line + "\n")
    problem = only(text, key)
    assert message in problem.message
    assert problem.line == line_of(text, line)


def test_bad_course_keys_and_roles_are_located():  # P-14
    text = with_rules(
        "    - role: Not A Slug\n"
        "      courses:\n"
        '        - "Org/SAFE101/2026"\n'
        '        - "library-v1:Org+Lib"\n'
        "        - 12\n"
        "      due_days: 3\n"
    )
    problems = {p.key: p for p in problems_of(text)}
    assert "not a job role code" in problems["assignments.rules[0].role"].message
    assert problems["assignments.rules[0].role"].line == line_of(text, "role: Not A Slug")
    for i, fragment in enumerate(['"Org/SAFE101/2026"', '"library-v1:Org+Lib"', "- 12"]):
        problem = problems[f"assignments.rules[0].courses[{i}]"]
        assert "course-v1:Org+Course+Run" in problem.message
        assert problem.line == line_of(text, fragment)


def test_unknown_and_missing_rule_keys():  # P-14
    text = with_rules("    - role: clerk\n      course: []\n      due_days: 3\n")
    problems = {p.key: p for p in problems_of(text)}
    assert "did you mean 'courses'" in problems["assignments.rules[0].course"].message
    assert problems["assignments.rules[0].courses"].message == "missing key"


def test_rules_must_be_a_list_of_mappings():  # P-14
    assert "must be a list" in only(with_rules("    clerk"), "assignments.rules").message
    text = with_rules("    - clerk\n")
    assert "mapping" in only(text, "assignments.rules[0]").message


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            "without_tracked_videos: not_countable",
            "without_tracked_videos: count",
            "completion.without_tracked_videos",
            "grade_only, not_countable",
        ),
        (
            "builtin_videos: not_countable",
            "builtin_videos: grade_only",
            "completion.builtin_videos",
            "ignore, not_countable",
        ),
        (
            "electives_are_tasks: false",
            "electives_are_tasks: 1",
            "assignments.electives_are_tasks",
            "true or false",
        ),
        (
            "elective_target_days: 30",
            "elective_target_days: 0",
            "assignments.elective_target_days",
            "at least 1",
        ),
        (
            "reminder_days_before: 3",
            "reminder_days_before: -1",
            "assignments.reminder_days_before",
            "negative",
        ),
    ],
)
def test_bad_section_values_are_located(old, new, key, message):  # P-15, P-17, P-22
    text = variant((old, new))
    problem = only(text, key)
    assert message in problem.message
    assert problem.line == line_of(text, new)


def test_missing_sections_are_reported():  # P-14, P-17
    text = variant(
        ("completion:                     # P-17:", "completion_:                    # P-17:"),
        ("  reminder_days_before: 3 ", "  reminder_days_before_: 3 "),
    )
    keys = {p.key for p in problems_of(text)}
    assert {"completion", "completion_", "assignments.reminder_days_before"} <= keys
