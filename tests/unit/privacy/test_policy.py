"""The `privacy` section of the policy file (P-32): periods validated at start, each problem
named with its key and line."""

from __future__ import annotations

import pytest

from elearn_plugin.policy.loader import parse_policy
from elearn_plugin.policy.schema import PolicyError, PrivacyRule
from tests.unit.policy.helpers import DEFAULT_TEXT, line_of, variant

IP = "    ip_addresses: 180 "
TIMING = "    watch_timing: 400 "


def test_the_default_file_reads():
    assert parse_policy(DEFAULT_TEXT).privacy == PrivacyRule(1, 180, 400)


def _problems(text: str) -> list:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    return info.value.problems


@pytest.mark.parametrize(
    "old, new, key, words",
    [
        (IP, "    ip_addresses: 0 ", "privacy.retention_days.ip_addresses", "at least 7"),
        (IP, "    ip_addresses: soon ", "privacy.retention_days.ip_addresses", "whole number"),
        (IP, "    ip_addresses: 1.5 ", "privacy.retention_days.ip_addresses", "whole number"),
        (TIMING, "    watch_timing: 30 ", "privacy.retention_days.watch_timing", "at least 62"),
        (TIMING, "    watch_timing: 100 ", "privacy.retention_days.watch_timing", "ip_addresses"),
        ("  notice_revision: 1 ", "  notice_revision: 0 ", "privacy.notice_revision", "at least 1"),
    ],
)
def test_bad_values_are_named_with_key_and_line(old, new, key, words):
    text = variant((old, new))
    problems = _problems(text)
    assert [p.key for p in problems] == [key]
    assert words in problems[0].message
    assert problems[0].line == line_of(text, new.strip())


def test_a_missing_key_is_reported():
    problems = _problems(variant((TIMING, "    # none ")))
    assert [(p.key, p.message) for p in problems] == [
        ("privacy.retention_days.watch_timing", "missing key")
    ]


def test_shorter_and_longer_periods_are_accepted():
    text = variant((IP, "    ip_addresses: 7 "), (TIMING, "    watch_timing: 3650 "))
    assert parse_policy(text).privacy == PrivacyRule(1, 7, 3650)
