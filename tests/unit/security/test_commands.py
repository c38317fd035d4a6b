"""Every `elearn_*` command refuses broken input with a clear message and changes nothing.

`BROKEN_INPUT_TESTS` lists, per command, the tests that try it with a missing file, bad
arguments or bad content; a new command without such tests fails this module.
"""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from elearn_plugin.killswitch import learning_enabled
from elearn_plugin.management.commands import elearn_demo
from elearn_plugin.org.models import Person, Unit
from elearn_plugin.tick.models import JobState

BROKEN_INPUT_TESTS = {
    "elearn_check_builtin_videos": [
        "tests.unit.video.test_builtin_videos::test_command_bad_course_key",
        "tests.unit.security.test_commands::test_check_builtin_videos_bad_arguments",
    ],
    "elearn_check_policy": [
        "tests.unit.policy.test_check_policy_command::test_missing_file",
        "tests.unit.policy.test_check_policy_command::test_not_a_policy_at_all",
        "tests.unit.policy.test_check_policy_command::test_each_kind_of_broken_file",
        "tests.unit.security.test_commands::test_check_policy_bad_arguments",
    ],
    "elearn_check_integrity": [
        "tests.unit.integrity.test_command::test_a_malformed_head_is_bad_usage",
        "tests.unit.integrity.test_command::test_unknown_options_are_refused_and_nothing_is_verified",
    ],
    "elearn_close_period": [
        "tests.unit.month_close.test_commands::test_bad_periods_exit_2_and_change_nothing",
        "tests.unit.month_close.test_commands::test_a_broken_policy_file_exits_2",
    ],
    "elearn_demo": [
        "tests.unit.security.test_commands::test_demo_missing_or_bad_file_changes_nothing",
        "tests.unit.security.test_commands::test_demo_refuses_outside_the_fake_host",
        "tests.unit.loading.test_demo::test_reset_refuses_a_database_that_is_not_a_sqlite_file",
    ],
    "elearn_fake_pass": [
        "tests.unit.courses.test_fake_pass_command::test_fake_pass_refuses_bad_input"
    ],
    "elearn_health": ["tests.unit.security.test_commands::test_health_bad_arguments"],
    "elearn_killswitch": [
        "tests.unit.test_killswitch::test_command_refuses_bad_input",
        "tests.unit.security.test_commands::test_killswitch_without_state",
    ],
    "elearn_load": [
        "tests.unit.loading.test_loader::test_command_refuses_a_missing_file",
        "tests.unit.loading.test_loader::test_command_reports_positions_and_fails",
        "tests.unit.security.test_commands::test_load_bad_arguments_and_content",
    ],
    "elearn_provision": [
        "tests.unit.org.test_provisioning::test_unreadable_file",
        "tests.unit.org.test_provisioning::test_wrong_header_is_refused",
        "tests.unit.org.test_provisioning::test_each_bad_row_kind_is_reported_and_nothing_imported",
        "tests.unit.security.test_commands::test_provision_bad_arguments_and_content",
    ],
    "elearn_report": [
        "tests.unit.reports.test_report_command::test_bad_input_exits_2_with_one_line_and_changes_nothing",
        "tests.unit.reports.test_report_command::test_an_unwritable_output_path_exits_2_and_writes_nothing",
        "tests.unit.reports.test_report_command::test_a_broken_policy_file_exits_2",
        "tests.unit.reports.test_report_command::test_from_the_shell_bad_input_exits_2_too",
        "tests.unit.rankings.test_report_command::test_bad_input_exits_2_with_one_line",
    ],
    "elearn_seats": [
        "tests.unit.seats.test_command::test_bad_input_exits_2",
        "tests.unit.seats.test_command::test_a_count_below_used_exits_2",
    ],
    "elearn_subject_access": [
        "tests.unit.privacy.test_export::test_bad_input_exits_2_and_writes_nothing",
        "tests.unit.privacy.test_export::test_from_the_shell_bad_input_exits_2_with_one_message",
    ],
    "elearn_sync_roster": [
        "tests.unit.roster.test_command::test_bad_csv_exits_2_and_changes_nothing",
        "tests.unit.roster.test_command::test_unreadable_file_and_bad_arguments_exit_2",
        "tests.unit.roster.test_command::test_bom_files_with_bad_content_exit_2",
    ],
    "elearn_verify_audit": [
        "tests.unit.audit.test_verify_command::test_bad_head_is_refused_and_nothing_is_sealed",
        "tests.unit.audit.test_verify_command::test_unknown_options_are_refused",
    ],
    "elearn_tick": [
        "tests.unit.tick.test_tick::test_tick_command_prints_json_and_refuses_unknown_jobs",
        "tests.unit.security.test_commands::test_tick_bad_arguments",
    ],
}


def _plugin_commands() -> set[str]:
    return {n for n, app in get_commands().items() if app == "elearn_plugin"}


def _run(*args, **kwargs) -> CommandError:
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=StringIO(), stderr=StringIO(), **kwargs)
    assert str(refused.value).strip(), "a refusal must say why"
    assert refused.value.returncode != 0
    return refused.value


def test_every_command_has_broken_input_tests():  # P-33
    commands = _plugin_commands()
    assert commands, "no commands found: the check would prove nothing"
    assert all(name.startswith("elearn_") for name in commands)
    missing = sorted(commands - set(BROKEN_INPUT_TESTS))
    stale = sorted(set(BROKEN_INPUT_TESTS) - commands)
    assert not missing, f"commands without broken-input tests: {missing}"
    assert not stale, f"BROKEN_INPUT_TESTS lists commands that no longer exist: {stale}"


@pytest.mark.parametrize("dotted", sorted({t for ts in BROKEN_INPUT_TESTS.values() for t in ts}))
def test_listed_tests_exist(dotted):  # P-33
    module_name, _sep, name = dotted.partition("::")
    assert callable(getattr(importlib.import_module(module_name), name, None)), dotted


def test_check_builtin_videos_bad_arguments(db):  # P-17
    error = _run("elearn_check_builtin_videos", "course-v1:Org+C1+2026", "/etc/passwd")
    assert "/etc/passwd" in str(error) and error.returncode == 2
    _run("elearn_check_builtin_videos", "--no-such-option")


def test_check_policy_bad_arguments(db):  # P-33
    assert "--file" in str(_run("elearn_check_policy", "--file"))


def test_health_bad_arguments(db):  # P-33
    assert "unrecognized" in str(_run("elearn_health", "--verbose-please"))


def test_killswitch_without_state(db):  # P-34
    assert "state" in str(_run("elearn_killswitch"))
    _run("elearn_killswitch", "off", "--actor-id", "abc")
    assert learning_enabled() is True


def test_tick_bad_arguments(db):  # P-33
    _run("elearn_tick", "--only")
    _run("elearn_tick", "--only", "Not A Job!")
    assert not JobState.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.yaml", b"\xff\xfe\x00\x00not text", ""),
        ("data.yaml", b"units: [unclosed\n", ""),
        ("data.yaml", b"- just\n- a list\n", ""),
        ("data.txt", b"units: []\n", ""),
    ],
)
def test_load_bad_arguments_and_content(db, tmp_path, name, content, message):  # P-1, P-33
    _run("elearn_load")  # no file named
    _run("elearn_load", str(tmp_path))  # a directory
    path = tmp_path / name
    path.write_bytes(content)
    error = _run("elearn_load", str(path))
    assert "nothing was loaded" in str(error)
    assert not Unit.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02binary",
        b"employee_id,username\nE1,ada\n",
        b'employee_id,username,name,email,unit,job_role\n"E1,ada\n',
    ],
)
def test_provision_bad_arguments_and_content(db, tmp_path, content):  # P-2
    users = get_user_model().objects.count()
    assert "--csv" in str(_run("elearn_provision"))
    error = _run("elearn_provision", "--csv", str(tmp_path))  # a directory
    assert error.returncode == 2
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    out = tmp_path / "pw.csv"
    error = _run("elearn_provision", "--csv", str(path), "--passwords-out", str(out))
    assert error.returncode == 2
    assert get_user_model().objects.count() == users
    assert not Person.objects.exists() and not out.exists()


# P-33: a missing or malformed demo file stops the command before the database is touched
@pytest.mark.parametrize("content", [None, b"- a\n- list\n", b"units: [\n"])
def test_demo_missing_or_bad_file_changes_nothing(db, tmp_path, monkeypatch, content):
    touched = []
    monkeypatch.setattr(elearn_demo.Command, "_reset_database", lambda self: touched.append(1))
    monkeypatch.setattr(elearn_demo.Command, "_migrate", lambda self: touched.append(2))
    path = tmp_path / "demo.yaml"
    if content is not None:
        path.write_bytes(content)
    error = _run("elearn_demo", "--reset", "--file", str(path))
    assert touched == []
    assert str(path) in str(error)
    assert not Person.objects.exists()


# P-31, P-32: the demo creates a superuser with a password printed in the docs: it runs only
# on the standalone site (fake host adapters), never inside an Open edX site
@pytest.mark.parametrize("adapters", ["platform", "", "Fake"])
def test_demo_refuses_outside_the_fake_host(db, settings, monkeypatch, adapters):
    touched = []
    monkeypatch.setattr(elearn_demo.Command, "_reset_database", lambda self: touched.append(1))
    monkeypatch.setattr(elearn_demo.Command, "_migrate", lambda self: touched.append(2))
    settings.ELEARN_HOST_ADAPTERS = adapters
    error = _run("elearn_demo", "--reset")
    assert error.returncode == 2
    assert "ELEARN_HOST_ADAPTERS" in str(error) and "standalone" in str(error)
    assert touched == []
    assert not get_user_model().objects.filter(is_superuser=True).exists()
