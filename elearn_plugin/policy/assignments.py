"""The `completion` and `assignments` sections: what a course counts as, what a role must take.

Pure module (no Django): course keys are checked by their shape only (`course-v1:Org+Course+Run`)
and role codes as slugs; whether the role and the course exist on the site is checked when the
rules are synchronised into the database (`elearn_plugin.courses.assignment_rules`), which is
where the site's roles and courses are known.
"""

from __future__ import annotations

import re
from typing import Any

from elearn_plugin.policy.checker import BAD, Checker, Fields, describe, leaf, ok, sub
from elearn_plugin.policy.schema import (
    BUILTIN_VIDEOS,
    WITHOUT_TRACKED_VIDEOS,
    AssignmentPolicy,
    CompletionRule,
    RoleCourseRule,
)
from elearn_plugin.policy.shape import RULE_DUE_KEYS, RULE_KEYS

# The host's CourseLocator allows these characters in org, course and run.
COURSE_KEY_RE = re.compile(r"^course-v1:[\w\-~.]+\+[\w\-~.]+\+[\w\-~.:]+$")
# The ledger keys credits "completion:<course key>" in 200 characters (courses.keys).
COURSE_KEY_MAX_LENGTH = 180
ROLE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
ROLE_MAX_LENGTH = 64  # org.JobRole.code


def completion(check: Checker, root: Fields) -> Any:
    """`completion` as a `CompletionRule`, or `BAD`."""
    fields = sub(check, root, "completion", "completion")
    without = leaf(
        fields, "without_tracked_videos", "completion", check.one_of(WITHOUT_TRACKED_VIDEOS)
    )
    builtin = leaf(fields, "builtin_videos", "completion", check.one_of(BUILTIN_VIDEOS))
    if not ok(without, builtin):
        return BAD
    return CompletionRule(without_tracked_videos=without, builtin_videos=builtin)


def assignments(check: Checker, root: Fields) -> Any:
    """`assignments` as an `AssignmentPolicy`, or `BAD`."""
    fields = sub(check, root, "assignments", "assignments")
    are_tasks = leaf(fields, "electives_are_tasks", "assignments", check.boolean)
    target = leaf(fields, "elective_target_days", "assignments", check.at_least(1))
    reminder = leaf(fields, "reminder_days_before", "assignments", check.at_least(0))
    rules = leaf(fields, "rules", "assignments", lambda v, ln, k: _rules(check, v, ln, k))
    if not ok(are_tasks, target, reminder, rules):
        return BAD
    return AssignmentPolicy(
        electives_are_tasks=are_tasks,
        elective_target_days=target,
        reminder_days_before=reminder,
        rules=rules,
    )


def _rules(check: Checker, value: Any, line: int, key: str) -> Any:
    if value is None:  # `rules:` left empty: no role has required courses
        return ()
    items = check.items(value, line, key)
    if items is None:
        return BAD
    flat: list[RoleCourseRule] = []
    seen: dict[tuple[str, str], int] = {}
    bad = False
    for i, item, item_line in items:
        rule_key = f"{key}[{i}]"
        fields = check.section(item, item_line, rule_key, RULE_KEYS, optional=RULE_DUE_KEYS)
        if fields is None:
            bad = True
            continue
        role = leaf(fields, "role", rule_key, lambda v, ln, k: _role(check, v, ln, k))
        courses = leaf(fields, "courses", rule_key, lambda v, ln, k: _courses(check, v, ln, k))
        due_on, due_days = _due(check, fields, item_line, rule_key)
        if not ok(role, courses, due_on, due_days):
            bad = True
            continue
        for course_key, course_line, j in courses:
            first = seen.get((role, course_key))
            if first is not None:
                check.add(
                    course_line,
                    f"{rule_key}.courses[{j}]",
                    f"role '{role}' and course '{course_key}' are already listed on line"
                    f" {first}: keep only one",
                )
                bad = True
                continue
            seen[(role, course_key)] = course_line
            flat.append(RoleCourseRule(role, course_key, due_on, due_days))
    return BAD if bad else tuple(flat)


def _role(check: Checker, value: Any, line: int, key: str) -> Any:
    if not isinstance(value, str) or not value:
        return check.add(line, key, f"must be a job role code, got {describe(value)}")
    if not ROLE_RE.match(value) or len(value) > ROLE_MAX_LENGTH:
        return check.add(
            line,
            key,
            f"'{value[:80]}' is not a job role code: letters, digits, '-' and '_',"
            f" at most {ROLE_MAX_LENGTH} characters",
        )
    return value


def _courses(check: Checker, value: Any, line: int, key: str) -> Any:
    """(course key, line, index) of each course; an empty list is a role with none."""
    items = check.items(value, line, key)
    if items is None:
        return BAD
    courses = []
    for i, item, item_line in items:
        course = _course_key(check, item, item_line, f"{key}[{i}]")
        courses.append(course if course is BAD else (course, item_line, i))
    return courses if ok(*courses) else BAD


def _course_key(check: Checker, value: Any, line: int, key: str) -> Any:
    if not isinstance(value, str) or not COURSE_KEY_RE.match(value.strip()):
        shown = f"'{value[:80]}'" if isinstance(value, str) else describe(value)
        return check.add(
            line, key, f"{shown} is not a course key of the form course-v1:Org+Course+Run"
        )
    text = value.strip()
    if len(text) > COURSE_KEY_MAX_LENGTH:
        return check.add(line, key, f"is longer than {COURSE_KEY_MAX_LENGTH} characters")
    return text


def _due(check: Checker, fields: Fields, line: int, key: str) -> tuple[Any, Any]:
    """(due_on, due_days): exactly one is given, the other is None."""
    written = [name for name in RULE_DUE_KEYS if name in fields]
    if len(written) != 1:
        message = (
            "write exactly one of due_days (days after assignment) or due_on (a date), not both"
            if written
            else "missing key: write due_days (days after assignment) or due_on (a date)"
        )
        check.add(line, f"{key}.due_days", message)
        return BAD, BAD
    if written == ["due_days"]:
        return None, leaf(fields, "due_days", key, check.at_least(1))
    return leaf(fields, "due_on", key, check.day), None
