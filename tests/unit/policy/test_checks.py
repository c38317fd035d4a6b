"""An invalid policy is a system-check error, so `migrate` and `runserver` stop on it."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from elearn_plugin.checks import check_policy
from tests.unit.policy.helpers import line_of, variant


def test_valid_policy_passes_the_check():
    assert check_policy() == []
    call_command("check")


def test_broken_policy_stops_the_check(tmp_path):
    text = variant(("default_share: 0.30", "default_share: 30"), ("top_n: 10", "top_n: -2"))
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with override_settings(ELEARN_POLICY_FILE=str(path)):
        errors = check_policy()
        with pytest.raises(SystemCheckError) as info:
            call_command("check")
    assert [e.id for e in errors] == ["elearn.E001", "elearn.E001"]
    message = str(info.value)
    assert "elearn.E001" in message
    assert (
        f"broken.yaml:{line_of(text, 'default_share')}: online_hours_cap.default_share" in message
    )
    assert "write 30 % as 0.30" in message
    assert f"broken.yaml:{line_of(text, 'top_n')}: rankings.top_n" in message


def test_missing_policy_file_stops_the_check(tmp_path):
    with override_settings(ELEARN_POLICY_FILE=str(tmp_path / "none.yaml")):
        with pytest.raises(SystemCheckError) as info:
            call_command("check")
    assert "ELEARN_POLICY_FILE" in str(info.value)
