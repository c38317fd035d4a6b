"""The subject-access export (P-32): every model annotated as personal appears, the learner's
rows and no one else's; the command refuses bad input with exit 2 and writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.family import services as family
from elearn_plugin.privacy import notice
from elearn_plugin.privacy.export import personal_models
from tests.unit.retirement import data

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def people(db, make_user, settings):
    settings.ELEARN_FAMILY_VIEW_ENABLED = True
    place = data.unit()
    staff = make_user()
    learner, other = make_user(), make_user()
    data.history(learner, place, staff=staff)
    data.history(other, place, staff=staff)
    family.issue(learner.pk, actor=learner)
    notice.acknowledge(learner.pk, actor=learner)
    return learner, other, staff


def _export(user, tmp_path) -> dict:
    path = tmp_path / "out.json"
    call_command("elearn_subject_access", "--user", user.username, "--output", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_personal_model_appears(people, tmp_path):
    learner, _other, _staff = people
    exported = _export(learner, tmp_path)
    names = set(exported["models"])
    # Every model retirement treats as personal, and every model annotated `.. pii:`.
    assert {model.__name__ for model, _fields in data.PERSONAL} <= names
    assert {model.__name__ for model in personal_models()} == names
    for model, fields in data.PERSONAL:
        rows = exported["models"][model.__name__]
        assert rows, f"{model.__name__}: the learner's rows are missing"
        assert all(row["user_id"] == learner.pk for row in rows)
        assert all(field in rows[0] for field in fields)
    for name in ("FamilyLink", "NoticeAcknowledgement", "CourseCompletion", "LedgerEntry"):
        assert exported["models"][name], name
    assert exported["account"]["username"] == learner.username
    assert "password" not in exported["account"]
    assert exported["format"] == "elearn-subject-access/1"


def test_no_other_learners_rows(people, tmp_path):
    learner, other, staff = people
    text = json.dumps(_export(learner, tmp_path), ensure_ascii=False)
    other_name = other_row_name(other)
    assert other_name not in text and other.username not in text
    # The staff member who imposed the sanction: their own export holds none of it.
    staff_export = _export(staff, tmp_path)
    assert staff_export["models"]["Sanction"] == []


def other_row_name(user) -> str:
    from elearn_plugin.org.models import Person

    return Person.objects.get(user=user).name


def test_the_export_is_audited_and_private(people, tmp_path):
    learner, _other, _staff = people
    _export(learner, tmp_path)
    event = AuditEvent.objects.get(verb="privacy.subject_access_exported")
    assert event.target == f"auth.user:{learner.pk}" and event.data["row_count"] > 10
    assert oct((tmp_path / "out.json").stat().st_mode & 0o777) == "0o600"


def test_by_user_id_too(people, tmp_path):
    learner, _other, _staff = people
    path = tmp_path / "id.json"
    call_command("elearn_subject_access", "--user", str(learner.pk), "--output", str(path))
    assert json.loads(path.read_text())["account"]["id"] == learner.pk


@pytest.mark.parametrize(
    "args, message",
    [
        (["--user", "nobody-here", "--output", "{tmp}/x.json"], "No user has"),
        (["--user", "", "--output", "{tmp}/x.json"], "needs a username"),
        (["--user", "{user}", "--output", "{tmp}/missing/x.json"], "existing folder"),
        (["--user", "{user}", "--output", "{tmp}"], "existing folder"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(people, tmp_path, args, message):
    learner = people[0]
    filled = [a.format(tmp=tmp_path, user=learner.username) for a in args]
    with pytest.raises(CommandError, match=message) as info:
        call_command("elearn_subject_access", *filled)
    assert info.value.returncode == 2
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(verb="privacy.subject_access_exported").exists()


def test_from_the_shell_bad_input_exits_2_with_one_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ELEARN_DEVSITE_VAR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "elearn_subject_access", "--output", str(tmp_path / "x")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--user" in result.stderr and "Traceback" not in result.stderr
