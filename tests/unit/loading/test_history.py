"""The data file's history: `hired`, `left` and `transfers` give each person's memberships.

P-1 (one unit at a time), P-6 (transfers keep the history), P-7 (leaving is recorded, the
account is the lifecycle's), P-32 (messages name employee ids, never names), P-33 (the same
file again changes nothing; a refused one writes nothing).
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.loading.format import read_file
from elearn_plugin.loading.writer import LoadError, load_data
from elearn_plugin.management.commands.elearn_demo import DEMO_FILE, shift_demo_dates
from elearn_plugin.org import services
from elearn_plugin.org.models import Membership, Person, Unit
from tests.unit.loading.test_loader import snapshot

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Shanghai")
COURSE = "course-v1:Example+SAFE101+2026"


def doc_example() -> dict:
    """The example of docs/data-format.md's "History" section, as the doc shows it."""
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    section = text.split("## History", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))


def base() -> dict:
    """The doc's example with a course and a record of each dated kind, all after hiring."""
    data = doc_example()
    data["courses"] = [
        {"course_key": COURSE, "title": "Safety", "credits": 2, "kind": "required",
         "origin": "internal"}
    ]  # fmt: skip
    data["assignments"] = [{"employee_id": "E0001", "course_key": COURSE, "due": "2025-04-30"}]
    data["completions"] = [
        {"employee_id": "E0001", "course_key": COURSE, "completed_at": "2025-04-10T10:00:00"}
    ]
    data["learning_time"] = [
        {"employee_id": "E0001", "course_key": COURSE, "start": "2025-04-09T20:00:00",
         "end": "2025-04-09T21:00:00"}
    ]  # fmt: skip
    data["classroom_sessions"] = [
        {"key": "s-1", "title": "Drill", "instructor": "Li", "start": "2025-04-02T14:00:00",
         "duration_minutes": 60, "attendees": ["E0002", "E0001"]}
    ]  # fmt: skip
    data["sanctions"] = [
        {"employee_id": "E0001", "kind": "warning", "reason_code": "quota",
         "start": "2025-05-01"}
    ]  # fmt: skip
    return data


def at(day: str) -> datetime:
    """00:00 of `day` in the policy's zone, in UTC."""
    return datetime.fromisoformat(day).replace(tzinfo=TZ).astimezone(UTC)


def stays(employee_id: str) -> list[tuple]:
    return list(
        Membership.objects.filter(user__elearn_person__employee_id=employee_id)
        .order_by("valid_from")
        .values_list("unit__code", "valid_from", "valid_to")
    )


def problems_of(data: dict) -> list[str]:
    with pytest.raises(LoadError) as info:
        load_data(data, TZ)
    return [str(p) for p in info.value.problems]


def test_the_documented_example_gives_the_documented_memberships():  # P-1, P-6
    report = load_data(base(), TZ)
    assert report.created["transfers"] == 2 and report.history_changed == 2
    assert stays("E0001") == [
        ("hr", at("2024-05-06"), at("2025-03-01")),
        ("it", at("2025-03-01"), at("2025-09-01")),
        ("hr", at("2025-09-01"), None),
    ]
    assert stays("E0002") == [("it", at("2023-02-01"), at("2026-02-01"))]
    zhang, alice = Person.objects.order_by("employee_id")
    assert (zhang.unit.code, zhang.hired_on, zhang.left_on) == ("hr", date(2024, 5, 6), None)
    assert (alice.hired_on, alice.left_on) == (date(2023, 2, 1), date(2026, 1, 31))
    # P-7: leaving closes the membership and, through the lifecycle, freezes the account
    # from the end of the last day; the person and their records stay
    from elearn_plugin.standing.models import Sanction

    assert alice.status == Person.DEPARTED and not alice.user.has_usable_password()
    freeze = Sanction.objects.get(user=alice.user, kind="freeze")
    assert freeze.starts_at == at("2026-02-01")


def test_json_strings_are_dates_too():
    data = base()
    for person in data["people"]:
        person["hired"] = str(person["hired"])
    data["transfers"][0]["date"] = "2025-03-01"
    load_data(data, TZ)
    assert stays("E0001")[0][1] == at("2024-05-06")


def test_reloading_the_same_file_changes_nothing_and_records_nothing():  # P-33
    load_data(base(), TZ)
    before, recorded = snapshot(), AuditEvent.objects.count()
    report = load_data(base(), TZ)
    assert report.total_created == 0 and report.history_changed == 0
    assert snapshot() == before
    assert AuditEvent.objects.count() == recorded


# --- records dated before the hire -----------------------------------------------------

BEFORE_HIRED = [
    (("assignments", 0, "due"), "2024-05-05", "assignments[0].due"),
    (("completions", 0, "completed_at"), "2024-05-05T23:59:00", "completions[0].completed_at"),
    (("learning_time", 0, "start"), "2024-05-01T20:00:00", "learning_time[0].start"),
    (
        ("classroom_sessions", 0, "start"),
        "2024-05-01T14:00:00",
        "classroom_sessions[0].attendees[1]",
    ),
    (("sanctions", 0, "start"), "2024-05-05", "sanctions[0].start"),
    (("transfers", 0, "date"), "2024-05-06", "transfers[0].date"),
]


@pytest.mark.parametrize(("path", "value", "where"), BEFORE_HIRED)
def test_records_dated_before_the_hire_are_refused_with_their_position(path, value, where):
    # P-1, P-6, P-33: nothing of a person predates their hire; nothing is written
    data = base()
    section, index, field = path
    data[section][index][field] = value
    if field == "start" and section == "learning_time":
        data[section][index]["end"] = "2024-05-01T21:00:00"
    messages = problems_of(data)
    expected = (
        f"{where}: must be after the day employee E0001 was hired (2024-05-06)."
        if section == "transfers"
        else f"{where}: is dated before employee E0001 was hired (2024-05-06)."
    )
    assert expected in messages, messages
    assert not Unit.objects.exists() and not Person.objects.exists()


def test_a_due_date_on_the_hire_day_is_not_before_it():
    data = base()
    data["assignments"][0]["due"] = "2024-05-06"  # the end of that day
    load_data(data, TZ)


def test_the_recorded_hire_date_counts_for_a_later_file():  # P-6
    load_data(base(), TZ)
    later = {
        "completions": [
            {"employee_id": "E0002", "course_key": COURSE, "completed_at": "2023-01-15"}
        ]
    }
    assert problems_of(later) == [
        "completions[0].completed_at: is dated before employee E0002 was hired (2023-02-01)."
    ]


def test_a_later_hire_date_is_refused_when_recorded_records_predate_it():  # P-6, P-33
    load_data(base(), TZ)
    before = snapshot()
    data = doc_example()
    data["people"][0]["hired"] = "2025-04-20"  # after the completion and the learning time
    data["transfers"] = []
    messages = problems_of(data)
    assert messages == [
        "people[0].hired: employee E0001: a recorded completion is dated 2025-04-10 10:00, "
        "before this hire date.",
        "people[0].hired: employee E0001: recorded learning starts 2025-04-02 14:00, "
        "before this hire date.",
    ]
    assert snapshot() == before


# --- reloading with changed dates ----------------------------------------------------------


def test_changed_dates_are_updated_where_the_history_allows():  # P-6
    load_data(base(), TZ)
    data = base()
    data["people"][0]["hired"] = "2024-02-01"
    data["transfers"][1]["date"] = "2025-10-08"
    data["people"][1]["left"] = "2026-02-28"
    report = load_data(data, TZ)
    assert report.total_created == 0 and report.history_changed == 2
    assert stays("E0001") == [
        ("hr", at("2024-02-01"), at("2025-03-01")),
        ("it", at("2025-03-01"), at("2025-10-08")),
        ("hr", at("2025-10-08"), None),
    ]
    assert stays("E0002") == [("it", at("2023-02-01"), at("2026-03-01"))]


def test_a_date_that_contradicts_a_later_recorded_move_is_refused_clearly():  # P-6, P-33
    data = doc_example()
    data["transfers"] = []
    load_data(data, TZ)
    # A move made on the platform after the load, then a file with a later hire date.
    user_id = Person.objects.get(employee_id="E0001").user_id
    unit_id = Unit.objects.get(code="it").id
    services.set_unit(user_id, unit_id, datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    before = snapshot()
    data["people"][0]["hired"] = "2025-04-01"
    assert problems_of(data) == [
        'people[0].hired: employee E0001: hired 2025-04-01 is not before their move to unit "it" '
        "on 2025-03-01 10:00."
    ]
    assert snapshot() == before


def test_a_transfer_that_contradicts_the_recorded_units_is_refused():  # P-6
    load_data(base(), TZ)
    data = base()
    data["transfers"][0]["unit"] = "group"
    messages = problems_of(data)
    assert messages == [
        'transfers[0]: employee E0001: the transfer on 2025-03-01 is to unit "group", but their '
        'recorded history has unit "it" there (from 2025-03-01).'
    ]


def test_a_later_transfer_is_added_and_a_date_left_out_is_kept():  # P-6
    load_data(base(), TZ)
    data = base()
    data["transfers"].append({"employee_id": "E0001", "unit": "group", "date": "2026-01-05"})
    del data["people"][1]["left"]
    report = load_data(data, TZ)
    assert report.created["transfers"] == 1
    assert [s[0] for s in stays("E0001")] == ["hr", "it", "hr", "group"]
    assert Person.objects.get(employee_id="E0002").left_on == date(2026, 1, 31)


def test_history_loaded_after_the_organisation_starts_at_the_hire():  # P-6
    data = doc_example()
    del data["transfers"]
    for person in data["people"]:
        del person["hired"]
        person.pop("left", None)
    data["people"][0]["unit"] = "hr"
    loaded = timezone.now()
    load_data(data, TZ)  # as it is now: memberships from the load
    assert stays("E0001")[0][1] >= loaded
    report = load_data(doc_example(), TZ)
    assert report.history_changed == 2
    assert [s[0] for s in stays("E0001")] == ["hr", "it", "hr"]
    assert stays("E0001")[0][1] == at("2024-05-06")


# --- the people and transfers sections ---------------------------------------------------

BAD = [
    (("people", 1, "left"), "2022-12-31", "people[1].left: must not be before hired."),
    (("people", 1, "left"), "2999-01-01", "people[1].left: must not be in the future."),
    (
        ("people", 0, "hired"),
        "2024-05-06T08:00:00",
        "people[0].hired: must be a date (2026-03-31), without a time.",
    ),
    (("people", 0, "hired"), "May 2024", "people[0].hired: must be a date"),
    (("transfers", 1, "date"), "2999-01-01", "transfers[1].date: must not be in the future."),
    (
        ("transfers", 1, "date"),
        "2025-03-01",
        'transfers[1].date: "E0001 2025-03-01" is given twice in transfers.',
    ),
    (
        ("transfers", 1, "unit"),
        "it",
        'transfers[1].unit: employee E0001 is already in unit "it" then.',
    ),
    (
        ("transfers", 0, "unit"),
        "hr",
        'transfers[0].unit: employee E0001 is already in unit "hr" then.',
    ),
    (("transfers", 0, "unit"), "nowhere", 'transfers[0].unit: unknown unit "nowhere".'),
    (
        ("transfers", 0, "employee_id"),
        "E0404",
        'transfers[0].employee_id: unknown employee "E0404".',
    ),
    (("transfers", 0, "colour"), "red", "transfers[0].colour: unknown field"),
]


@pytest.mark.parametrize(("path", "value", "expected"), BAD)
def test_bad_history_records_are_refused_with_their_position(path, value, expected):  # P-33
    data = base()
    section, index, field = path
    data[section][index][field] = value
    messages = problems_of(data)
    assert any(m.startswith(expected) for m in messages), messages
    assert not Person.objects.exists()


def test_transfers_after_leaving_or_without_a_people_record_are_refused():  # P-6
    data = base()
    data["transfers"].append({"employee_id": "E0002", "unit": "hr", "date": "2026-01-31"})
    load_data(copy.deepcopy(data), TZ)  # on the day they left: the last day in hr
    assert stays("E0002")[-1] == ("hr", at("2026-01-31"), at("2026-02-01"))
    data["transfers"][-1]["date"] = "2026-02-01"
    assert "transfers[2].date: is after employee E0002 left (2026-01-31)." in problems_of(data)
    alone = {"transfers": [{"employee_id": "E0001", "unit": "it", "date": "2025-03-01"}]}
    assert problems_of(alone) == [
        "transfers[0].employee_id: employee E0001 has transfers but no record under people in "
        "this file (it gives the unit they joined)."
    ]


def test_transfers_need_a_hire_date():  # P-6
    data = base()
    del data["people"][0]["hired"]
    assert "people[0].hired: is required when the file gives transfers of the person." in (
        problems_of(data)
    )


def test_messages_name_employee_ids_never_names():  # P-32
    data = base()
    data["completions"][0]["completed_at"] = "2020-01-01"
    for message in problems_of(data):
        assert "张伟" not in message and "zhang.wei" not in message


# --- bounded work, the command, the demo ---------------------------------------------------


def _people(n: int) -> dict:
    return {
        "people": [
            {"employee_id": f"N{n}-{i}", "username": f"n{n}.{i}", "name": "N", "unit": "hr",
             "job_role": "clerk", "hired": "2024-05-06"}
            for i in range(n)
        ],
        "transfers": [
            {"employee_id": f"N{n}-{i}", "unit": "it", "date": "2025-03-01"} for i in range(n)
        ],
    }  # fmt: skip


def test_the_history_costs_the_same_queries_for_few_or_many_people(
    django_assert_max_num_queries,
):  # P-33
    data = doc_example()
    load_data({"units": data["units"], "job_roles": data["job_roles"]}, TZ)
    counts = []
    for n in (3, 12):
        with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(150):
            load_data(_people(n), TZ)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Membership.objects.count() == 2 * (3 + 12)


def test_the_command_reports_the_changed_histories(tmp_path):
    path = tmp_path / "history.yaml"
    path.write_text(yaml.safe_dump(base(), allow_unicode=True), encoding="utf-8")
    out = StringIO()
    call_command("elearn_load", str(path), stdout=out)
    assert "transfers: 2 record(s), 2 new" in out.getvalue()
    assert "history: 2 person(s) with new dates or units" in out.getvalue()
    out = StringIO()
    call_command("elearn_load", str(path), stdout=out)
    assert "history:" not in out.getvalue()


@pytest.mark.parametrize("today", [None, date(2026, 3, 31), date(2027, 1, 4)])
def test_the_demo_data_has_a_history_that_fits_every_week(today, monkeypatch):  # P-1, P-6
    if today is not None:
        noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=4)
        monkeypatch.setattr(timezone, "now", lambda: noon)
    local_today = timezone.now().astimezone(TZ).date()
    report = load_data(shift_demo_dates(read_file(DEMO_FILE), local_today), TZ)
    assert report.created["transfers"] == 6
    assert Person.objects.exclude(hired_on=None).count() == Person.objects.count()
    departed = Person.objects.exclude(left_on=None).get()
    assert departed.employee_id == "D051" and departed.left_on < local_today
    assert not Membership.objects.filter(user=departed.user, open_flag=True).exists()
    assert [s[0] for s in stays("D016")] == ["hr", "north", "north_sales"]
