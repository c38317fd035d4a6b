"""The configured policy: read from ELEARN_POLICY_FILE, cached per file version, never
replaced by defaults when invalid."""

import os

import pytest
from django.test import override_settings

from elearn_plugin.policy import PolicyError, PolicyNotConfigured
from elearn_plugin.policy.runtime import get_policy, load_configured_policy
from tests.unit.policy.helpers import DEFAULT_TEXT, variant


def write(path, text, mtime_ns=None):
    path.write_text(text, encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_configured_default_policy_loads():
    assert get_policy().quota.required_courses_per_month == 2


def test_cached_until_the_file_changes(tmp_path):
    path = write(tmp_path / "p.yaml", DEFAULT_TEXT, mtime_ns=1_000_000_000)
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        first = get_policy()
        assert get_policy() is first
        # P-16: an operator changes the quota; the next read sees it without a restart.
        write(path, variant(("courses_per_month: 2", "courses_per_month: 5")), 2_000_000_000)
        assert get_policy().quota.required_courses_per_month == 5


def test_invalid_file_raises_not_configured_with_problems(tmp_path):
    path = write(tmp_path / "p.yaml", variant(("top_n: 10", "top_n: 0")))
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        with pytest.raises(PolicyNotConfigured) as info:
            get_policy()
    assert [p.key for p in info.value.problems] == ["rankings.top_n"]
    assert "rankings.top_n" in str(info.value)


def test_invalid_file_never_falls_back_to_a_previous_or_default_policy(tmp_path):
    path = write(tmp_path / "p.yaml", DEFAULT_TEXT, mtime_ns=1_000_000_000)
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        get_policy()
        write(path, "version: [\n", mtime_ns=2_000_000_000)
        with pytest.raises(PolicyNotConfigured):
            get_policy()
        with pytest.raises(PolicyNotConfigured):  # the error is cached, not forgotten
            get_policy()


@pytest.mark.parametrize("value", [None, ""])
def test_setting_unset(value):
    with override_settings(ELEARN_POLICY_FILE=value):
        with pytest.raises(PolicyError) as info:
            load_configured_policy()
    (problem,) = info.value.problems
    assert problem.key == "ELEARN_POLICY_FILE" and "not set" in problem.message


def test_setting_names_a_missing_file(tmp_path):
    with override_settings(ELEARN_POLICY_FILE=str(tmp_path / "absent.yaml")):
        with pytest.raises(PolicyNotConfigured) as info:
            get_policy()
    (problem,) = info.value.problems
    assert problem.key == "ELEARN_POLICY_FILE"
    assert problem.file.endswith("absent.yaml") and "does not exist" in problem.message


def test_without_cache_reads_the_file_again(tmp_path):
    path = write(tmp_path / "p.yaml", DEFAULT_TEXT, mtime_ns=1_000_000_000)
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        load_configured_policy()
        # Same mtime and size: only an uncached read sees the new content.
        write(path, variant(("top_n: 10", "top_n: 11")), mtime_ns=1_000_000_000)
        assert load_configured_policy().rankings.top_n == 10
        assert load_configured_policy(use_cache=False).rankings.top_n == 11
