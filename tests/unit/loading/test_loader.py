"""The data loader: one format, every bad record reported by position, all or nothing."""

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from elearn_plugin.courses.models import Assignment, CourseCompletion, CoursePolicy
from elearn_plugin.learning.models import ClassroomSession, LearningActivity
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.loading.format import DataFileError, parse_text, read_file
from elearn_plugin.loading.writer import LoadError, load_data, load_file
from elearn_plugin.org.models import JobRole, Membership, Person, TrainingContact, Unit
from elearn_plugin.standing.models import Sanction

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "minimal.yaml"
TZ = ZoneInfo("Asia/Shanghai")
MODELS = (
    Unit,
    JobRole,
    Person,
    Membership,
    TrainingContact,
    CoursePolicy,
    Assignment,
    CourseCompletion,
    LedgerEntry,
    LearningActivity,
    ClassroomSession,
    Sanction,
)


def snapshot():
    """Every row the loader can write, with all its values."""
    rows = {m.__name__: sorted(map(repr, m.objects.values_list())) for m in MODELS}
    rows["User"] = sorted(
        map(repr, get_user_model().objects.values_list("username", "email", "password"))
    )
    return rows


def example():
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_example_file_loads_everything():
    report = load_file(EXAMPLE, TZ)
    assert report.applied
    assert report.created == {
        "units": 2,
        "job_roles": 1,
        "people": 2,
        "contacts": 1,
        "courses": 1,
        "assignments": 1,
        "completions": 1,
        "learning_time": 1,
        "classroom_sessions": 1,
        "sanctions": 1,
    }
    zhang = Person.objects.get(employee_id="E0001")
    alice = Person.objects.get(employee_id="E0002")
    assert zhang.unit.code == "hr" and zhang.unit.parent.code == "group"
    assert TrainingContact.objects.get().user_id == alice.user_id
    # P-14: a bare due date is the end of that day in the policy's zone
    assignment = Assignment.objects.get()
    assert assignment.user_id == zhang.user_id
    assert assignment.due_at == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    # P-20: the imported completion credits the course once
    entry = LedgerEntry.objects.get()
    assert (entry.user_id, entry.amount) == (alice.user_id, Decimal("2.00"))
    # P-27: the classroom session is learning time for each attendee
    assert LearningActivity.objects.filter(kind="classroom").count() == 2
    assert LearningActivity.objects.filter(kind="video").get().seconds == 45 * 60
    assert Sanction.objects.get().user_id == zhang.user_id


@pytest.mark.django_db
def test_reloading_the_same_file_changes_nothing():
    # P-33: a repeated load creates nothing and changes no value.
    load_file(EXAMPLE, TZ)
    before = snapshot()
    report = load_file(EXAMPLE, TZ)
    assert report.total_created == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_json_form_loads_the_same(tmp_path):
    data = example()
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    assert load_file(path, TZ).total_created == 12
    assert Assignment.objects.get().due_at == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert CourseCompletion.objects.get().completed_at == datetime(2026, 3, 12, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    report = load_file(EXAMPLE, TZ, dry_run=True)
    assert not report.applied
    assert report.created["people"] == 2
    assert not Unit.objects.exists() and not get_user_model().objects.exists()


def _set(data, path, value):
    section, index, field = path
    if value is _DELETE:
        del data[section][index][field]
    else:
        data[section][index][field] = value


_DELETE = object()

BAD_RECORDS = [
    (("units", 1, "parent"), "nowhere", 'units[1].parent: unknown unit "nowhere"'),
    (("units", 0, "parent"), "hr", "units[0].parent: the units form a cycle"),
    (("units", 1, "kind"), "team", 'units[1].kind: "team" is not one of'),
    (("units", 1, "travel_heavy"), "yes", "units[1].travel_heavy: must be true or false"),
    (("job_roles", 0, "code"), "bad code!", "job_roles[0].code: must be 1-64"),
    (("people", 1, "unit"), "X", 'people[1].unit: unknown unit "X"'),
    (("people", 0, "job_role"), "pilot", 'people[0].job_role: unknown job role "pilot"'),
    (("people", 1, "username"), "zhang.wei", "people[1].username: the same as people[0].username"),
    (("people", 1, "employee_id"), "E0001", 'people[1].employee_id: "E0001" is given twice'),
    (("people", 0, "email"), "not-an-email", "people[0].email: is not a valid email"),
    (("people", 0, "name"), _DELETE, "people[0].name: is required"),
    (("people", 0, "nickname"), "zw", "people[0].nickname: unknown field"),
    (("people", 0, "password"), "short", "people[0].password: must have at least 8"),
    (("contacts", 0, "employee_id"), "E9999", 'contacts[0].employee_id: unknown employee "E9999"'),
    (("courses", 0, "course_key"), "SAFE101", 'courses[0].course_key: "SAFE101" is not a course'),
    (("courses", 0, "credits"), -1, "courses[0].credits: must be a number from 0"),
    (("courses", 0, "credits"), "many", "courses[0].credits: must be a number"),
    (("courses", 0, "kind"), "optional", 'courses[0].kind: "optional" is not one of'),
    (("courses", 0, "origin"), "bought", 'courses[0].origin: "bought" is not one of'),
    (
        ("assignments", 0, "course_key"),
        "course-v1:Example+OTHER+2026",
        'assignments[0].course_key: unknown course "course-v1:Example+OTHER+2026"',
    ),
    (("assignments", 0, "due"), "end of March", "assignments[0].due: must be a date"),
    (("completions", 0, "employee_id"), "E0404", "completions[0].employee_id: unknown employee"),
    (
        ("learning_time", 0, "end"),
        "2026-03-11T16:00:00+08:00",
        "learning_time[0].end: must be after",
    ),
    (("learning_time", 0, "kind"), "classroom", 'learning_time[0].kind: "classroom" is not one of'),
    (("classroom_sessions", 0, "attendees"), ["E0001", "E7"], "classroom_sessions[0].attendees[1]"),
    (("classroom_sessions", 0, "duration_minutes"), 0, "classroom_sessions[0].duration_minutes"),
    (("classroom_sessions", 0, "rating"), 7, "classroom_sessions[0].rating"),
    (("sanctions", 0, "kind"), "ban", 'sanctions[0].kind: "ban" is not one of'),
    (("sanctions", 0, "reason_code"), "Sharing Account", "sanctions[0].reason_code"),
    (("sanctions", 0, "kind"), "suspension", "sanctions[0].end: a suspension needs an end"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "value", "expected"), BAD_RECORDS)
def test_each_bad_record_is_reported_with_its_position_and_nothing_is_written(
    path, value, expected
):
    data = example()
    _set(data, path, value)
    with pytest.raises(LoadError) as info:
        load_data(data, TZ)
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert not Unit.objects.exists()
    assert not get_user_model().objects.exists()


# P-32: a repeated username or email is reported by the position of the record it repeats;
# the value itself (personal data) is in no message
@pytest.mark.django_db
def test_duplicate_usernames_and_emails_are_not_echoed():
    data = example()
    first = data["people"][0]
    data["people"][1]["username"] = first["username"].upper()
    data["people"][1]["email"] = first["email"]
    with pytest.raises(LoadError) as info:
        load_data(data, TZ)
    messages = [str(p) for p in info.value.problems]
    assert "people[1].username: the same as people[0].username" in " ".join(messages)
    assert "people[1].email: the same as people[0].email" in " ".join(messages)
    for text in [*messages, str(info.value)]:
        assert first["username"].casefold() not in text.casefold(), text
        assert first["email"].casefold() not in text.casefold(), text


@pytest.mark.django_db
def test_every_problem_is_reported_at_once():
    data = example()
    data["people"][0]["unit"] = "X"
    data["courses"][0]["credits"] = -5
    data["sanctions"][0]["kind"] = "ban"
    with pytest.raises(LoadError) as info:
        load_data(data, TZ)
    wheres = {p.where for p in info.value.problems}
    assert {"people[0].unit", "courses[0].credits", "sanctions[0].kind"} <= wheres


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2], "(file): must be a mapping"),
        ({"staff": []}, "staff: unknown section"),
        ({"units": {"code": "a"}}, "units: must be a list"),
        ({"units": ["group"]}, "units[0]: must be a mapping"),
    ],
)
def test_bad_file_shapes(data, expected):
    with pytest.raises(LoadError) as info:
        load_data(data, TZ)
    assert any(str(p).startswith(expected) for p in info.value.problems)


@pytest.mark.django_db
def test_a_problem_found_while_writing_undoes_everything(make_user):
    # The username belongs to an account outside the organisation: found by provisioning,
    # after units were written; the whole load is undone.
    make_user("alice.smith")
    with pytest.raises(LoadError) as info:
        load_file(EXAMPLE, TZ)
    assert [p.where for p in info.value.problems] == ["people[1].username"]
    assert not Unit.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_later_file_may_refer_to_what_is_already_loaded():
    load_file(EXAMPLE, TZ)
    more = {
        "assignments": [
            {
                "employee_id": "E0002",
                "course_key": "course-v1:Example+SAFE101+2026",
                "due": "2026-04-30",
            }
        ]
    }
    assert load_data(more, TZ).created["assignments"] == 1


@pytest.mark.django_db
def test_passwords_from_the_file_are_set_on_new_accounts_only():
    data = example()
    data["people"][0]["password"] = "demo-pass-2026"
    load_data(data, TZ)
    user = get_user_model().objects.get(username="zhang.wei")
    assert user.check_password("demo-pass-2026")
    user.set_password("changed-by-learner")
    user.save()
    load_data(data, TZ)
    user.refresh_from_db()
    assert user.check_password("changed-by-learner")


def test_yaml_duplicate_keys_are_refused():
    text = "units:\n  - code: a\n    name: A\n    code: b\n"
    with pytest.raises(DataFileError, match='line 4: the key "code" is given twice'):
        parse_text(text, "yaml")


def test_yaml_is_parsed_safely():
    with pytest.raises(DataFileError):
        parse_text("units: !!python/object/apply:os.system ['true']\n", "yaml")


def test_json_duplicate_keys_and_syntax_are_refused():
    with pytest.raises(DataFileError, match='"units" is given twice'):
        parse_text('{"units": [], "units": []}', "json")
    with pytest.raises(DataFileError, match="line 1: not valid JSON"):
        parse_text('{"units": [}', "json")


def test_file_kind_and_existence(tmp_path):
    with pytest.raises(DataFileError, match=".yaml, .yml or .json"):
        read_file(tmp_path / "data.csv")
    with pytest.raises(DataFileError, match="does not exist"):
        read_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"units: [\xff\xfe]")
    with pytest.raises(DataFileError, match="UTF-8"):
        read_file(bad)


@pytest.mark.django_db
def test_command_reports_positions_and_fails(tmp_path):
    data = example()
    data["people"][1]["unit"] = "X"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("elearn_load", str(path), stderr=err, stdout=StringIO())
    assert 'people[1].unit: unknown unit "X"' in err.getvalue()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_command_loads_and_reloads():
    out = StringIO()
    call_command("elearn_load", str(EXAMPLE), stdout=out)
    assert "people: 2 record(s), 2 new" in out.getvalue()
    out = StringIO()
    call_command("elearn_load", str(EXAMPLE), stdout=out)
    assert "Loaded; 0 new record(s)." in out.getvalue()


@pytest.mark.django_db
def test_command_refuses_a_missing_file(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("elearn_load", str(tmp_path / "nope.yaml"), stderr=err, stdout=StringIO())
    assert "(file): The file does not exist." in err.getvalue()


def test_example_is_deep_copied_per_test():
    # guards the parametrised cases above against sharing one mutated dict
    assert example() == copy.deepcopy(example())
