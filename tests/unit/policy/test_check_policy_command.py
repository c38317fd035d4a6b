"""`manage.py elearn_check_policy`: every problem printed with file, line and key; exit 2."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tests.unit.policy.helpers import DEFAULT, line_of, variant


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("elearn_check_policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("elearn_check_policy", *args, stdout=out, stderr=err)
    assert info.value.returncode == 2
    return err.getvalue()


def test_valid_configured_policy_prints_summary():
    out, err = run()
    assert "is valid" in out and "Asia/Shanghai" in out and err == ""


def test_valid_file_option():
    out, _err = run("--file", str(DEFAULT))
    assert str(DEFAULT) in out and "is valid" in out


BROKEN = [
    # (replacement, key named, fragment on the line) — one of each kind of mistake.
    (("top_n: 10", "top_n: 0"), "rankings.top_n", "top_n"),  # P-25 zero count
    (("reminder_email: true", "reminder_email: 3"), "quota.reminder_email", "reminder_email"),
    (
        ("per_month_to_suspend: 3", "per_month_to_suspend: true"),
        "missed_tasks.per_month_to_suspend",
        "per_month_to_suspend",
    ),  # P-22
    (
        ("default_share: 0.30", "default_share: 30"),
        "online_hours_cap.default_share",
        "default_share",
    ),  # P-24
    (
        ("travel_heavy_share: 0.50", "travel_heavy_share: 0.1"),
        "online_hours_cap.travel_heavy_share",
        "travel_heavy_share",
    ),  # P-24
    (("action: flag ", "action: delete "), "sharing.action", "action: delete"),  # P-4
    (("timezone: Asia/Shanghai", "timezone: Asia/Atlantis"), "timezone", "timezone"),
    (
        ("effective_from: 2026-01-01", "effective_from: 2026-02-31"),
        "effective_from",
        "effective_from",
    ),
    (("{weekday: wed,", "{weekday: wday,"), "learning_windows.slots[0].weekday", "wday"),  # P-18
    (
        (
            'start: "16:30", end: "17:30"}\n    - {weekday: sat',
            'start: "16:30", end: "25:00"}\n    - {weekday: sat',
        ),
        "learning_windows.slots[1].end",
        "25:00",
    ),  # P-18
    (
        ("end_tolerance_seconds: 1.0", "end_tolerance_seconds: 5"),
        "video.end_tolerance_seconds",
        "end_tolerance_seconds",
    ),  # P-17
    (
        ("max_playback_rate: 2.0", "max_playback_rate: 4"),
        "video.max_playback_rate",
        "max_playback_rate",
    ),  # P-17
    (("  top_n: 10", "  top_n: 10\n  top_n: 12"), "rankings.top_n", "top_n: 12"),
    (("  reminder_email: true", "  reminder_email: true\n  extra: 1"), "quota.extra", "extra: 1"),
]


@pytest.mark.parametrize(("replacement", "key", "fragment"), BROKEN)
def test_each_kind_of_broken_file(tmp_path, replacement, key, fragment):
    text = variant(replacement)
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    err = run_failing("--file", str(path))
    assert f"{path}:{line_of(text, fragment)}: {key}: " in err


def test_syntax_error_named_with_line(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("version: 1\nquota: {a: 1\n", encoding="utf-8")
    err = run_failing("--file", str(path))
    assert f"{path}:" in err and "YAML syntax error" in err


@pytest.mark.parametrize("content", [b"", b"[1, 2]\n", b"\xff\xfe\x00"])
def test_not_a_policy_at_all(tmp_path, content):
    path = tmp_path / "policy.yaml"
    path.write_bytes(content)
    err = run_failing("--file", str(path))
    assert str(path) in err


def test_missing_file(tmp_path):
    err = run_failing("--file", str(tmp_path / "missing.yaml"))
    assert "missing.yaml" in err and "not found" in err


def test_broken_configured_file_is_explained_not_stopped_by_checks(tmp_path):
    text = variant(("top_n: 10", "top_n: 0"))
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        err = run_failing()
    assert f"{path}:{line_of(text, 'top_n')}: rankings.top_n: must be at least 1" in err
