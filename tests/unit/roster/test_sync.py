"""Applying the roster (P-2, P-6, P-7, P-33): the diff through the writers, all or nothing."""

from datetime import date, datetime

import pytest
import responses

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.roster import jobs
from elearn_plugin.roster.models import RosterSync
from elearn_plugin.roster.services import RosterApplyError, sync_roster
from elearn_plugin.roster.sources import RestRosterClient, RosterSourceError
from tests.unit.roster.conftest import NOW, TZ, leaving, new_person, roster_of

pytestmark = pytest.mark.django_db
URL = "https://hr.example.com/api/roster/"


def state():
    """Everything the sync may change, to prove that it changed nothing."""
    return (
        sorted(Person.objects.values_list("employee_id", "unit_id", "job_role_id", "status")),
        Membership.objects.count(),
    )


def test_hires_transfers_departures_role_changes_and_returns(people, org_tree):  # P-2 P-6 P-7
    staff = people(6)
    gone = staff[5]
    Person.objects.filter(pk=gone.pk).update(status=Person.DEPARTED, left_on=date(2025, 6, 30))
    Membership.objects.filter(user_id=gone.user_id).update(
        valid_to=datetime(2025, 7, 1, tzinfo=TZ), open_flag=None
    )
    gone.refresh_from_db()
    roster = roster_of(
        staff,
        E0001={"unit": "sales"},
        E0002={"job_role": "manager"},
        E0003=leaving(date(2026, 11, 30)),
        E0006={
            "status": "active",
            "unit": "ops",
            "job_role": "manager",
            "hired": date(2026, 12, 1),
        },
    ) + [new_person("N1", hired=date(2026, 11, 16), email="n1@example.com")]
    report = sync_roster(roster, now=NOW)
    assert report.status == "applied" and report.reason is None
    assert report.counts == {
        "hire_count": 1,
        "transfer_count": 1,
        "departure_count": 1,
        "role_change_count": 1,
        "return_count": 1,
    }
    by_emp = {p.employee_id: p for p in Person.objects.select_related("unit", "job_role")}
    assert by_emp["E0001"].unit.code == "sales"
    assert by_emp["E0002"].job_role.code == "manager"
    assert by_emp["E0003"].status == Person.DEPARTED
    assert by_emp["E0006"].status == Person.ACTIVE and by_emp["E0006"].unit.code == "ops"
    assert by_emp["E0006"].job_role.code == "manager"
    assert by_emp["N1"].unit.code == "sales" and by_emp["N1"].hired_on == date(2026, 11, 16)
    hire = Membership.objects.get(user_id=by_emp["N1"].user_id)
    assert hire.valid_from == datetime(2026, 11, 16, tzinfo=TZ)
    move = Membership.objects.get(user_id=by_emp["E0001"].user_id, open_flag=True)
    assert move.valid_from == datetime(2026, 12, 2, tzinfo=TZ)  # the start of today there
    left = Membership.objects.filter(user_id=by_emp["E0003"].user_id).latest("valid_from")
    assert left.valid_to == datetime(2026, 12, 1, tzinfo=TZ)  # the end of the left day
    sync = RosterSync.objects.get()
    assert (sync.status, sync.hire_count, sync.departure_count) == ("applied", 1, 1)
    event = AuditEvent.objects.get(verb="roster.applied")
    assert event.data["digest_key"] == f"sha256:{report.digest}"
    assert event.data["return_count"] == 1

    # P-33: the same roster again changes nothing and records nothing.
    before = state()
    again = sync_roster(roster, now=NOW)
    assert again.status == "nothing" and again.diff.empty
    assert state() == before and RosterSync.objects.count() == 1


def test_absent_people_are_missing_not_departed(people):  # P-7
    staff = people(30)
    report = sync_roster(roster_of(staff[1:]), now=NOW)
    assert report.status == "nothing" and report.diff.missing == ("E0001",)
    assert Person.objects.filter(status=Person.ACTIVE).count() == 30


def test_dry_run_changes_nothing(people):  # P-7
    staff = people(4)
    before = state()
    report = sync_roster(roster_of(staff, E0001=leaving(date(2026, 11, 1))), dry_run=True, now=NOW)
    assert report.status == "dry_run" and len(report.diff.departures) == 1
    assert state() == before and not RosterSync.objects.exists()


def test_mass_departure_is_held_once_then_applied_on_confirm(people):  # P-7
    staff = people(60)
    roster = roster_of(staff, **{p.employee_id: leaving(date(2026, 11, 30)) for p in staff[:24]})
    before = state()
    report = sync_roster(roster, now=NOW)
    assert report.status == "held" and report.reason == "departures"
    assert state() == before
    assert jobs.roster_held(NOW) == ["roster_held"]
    assert sync_roster(roster, now=NOW).sync_id == report.sync_id  # held once per content
    assert RosterSync.objects.count() == 1
    assert AuditEvent.objects.filter(verb="roster.held").count() == 1
    done = sync_roster(roster, confirm=True, now=NOW)
    assert done.status == "applied"
    assert Person.objects.filter(status=Person.DEPARTED).count() == 24
    assert jobs.roster_held(NOW) == []


def test_an_empty_roster_is_held(people):  # P-7
    people(3)
    report = sync_roster([], now=NOW)
    assert report.status == "held" and report.reason == "empty"


def test_unknown_codes_are_bad_input_and_nothing_is_recorded(people):  # P-2
    staff = people(2)
    roster = roster_of(staff, E0001={"unit": "nowhere"}) + [new_person("N1", role="chef")]
    with pytest.raises(RosterApplyError) as caught:
        sync_roster(roster, now=NOW)
    assert {(p.line, p.field) for p in caught.value.problems} == {(2, "unit"), (99, "job_role")}
    assert not RosterSync.objects.exists()


def test_a_refused_change_rolls_everything_back_and_is_recorded(people, make_user):  # P-33
    staff = people(3)
    make_user("taken")  # an account outside the organisation holds the hire's username
    roster = roster_of(staff, E0001={"unit": "sales"}) + [new_person("N1", username="taken")]
    before = state()
    with pytest.raises(RosterApplyError) as caught:
        sync_roster(roster, now=NOW)
    assert caught.value.problems[0].field == "username"
    assert state() == before
    assert list(RosterSync.objects.values_list("status", "reason")) == [
        ("failed", "RosterApplyError")
    ]
    assert not AuditEvent.objects.filter(verb="roster.applied").exists()


@responses.activate
def test_second_page_failing_applies_nothing(people):  # P-7, P-33
    staff = people(2)
    first = [
        {
            "employee_id": "N1",
            "username": "n1",
            "name": "N",
            "email": "",
            "unit": "sales",
            "job_role": "clerk",
            "status": "active",
            "hired": None,
            "left": None,
        }
    ]
    responses.get(URL, json={"results": first, "next": URL + "?page=2"})
    responses.get(URL + "?page=2", status=503)
    before = state()
    client = RestRosterClient(URL, "t", retries=1, backoff=0, sleep=lambda s: None)
    with pytest.raises(RosterSourceError):
        sync_roster(client, now=NOW)
    assert state() == before and not RosterSync.objects.exists()
    assert len(staff) == 2


@pytest.mark.no_principal
def test_the_tick_job_skips_without_url_and_never_confirms(people, settings):  # P-7
    settings.ELEARN_ROSTER_URL = ""
    assert "skipped" in jobs.sync_from_hr(NOW)
    staff = people(30)
    settings.ELEARN_ROSTER_URL = URL
    settings.ELEARN_ROSTER_RETRIES = 0
    payload = [
        {
            "employee_id": p.employee_id,
            "username": p.user.username,
            "name": "x",
            "email": "",
            "unit": "hq",
            "job_role": "clerk",
            "status": "left" if i < 25 else "active",
            "hired": None,
            "left": "2026-11-30" if i < 25 else None,
        }
        for i, p in enumerate(staff)
    ]
    with responses.RequestsMock() as mock:
        mock.get(URL, json={"results": payload, "next": None})
        summary = jobs.sync_from_hr(NOW)
    assert summary["status"] == "held" and summary["departure_count"] == 25
    assert Person.objects.filter(status=Person.DEPARTED).count() == 0
    event = AuditEvent.objects.get(verb="roster.held")
    assert event.actor_system == "job:roster.sync"


def _bulk_roster(staff, hires: int):
    n = len(staff) // 3
    changes = {}
    for p in staff[:n]:
        changes[p.employee_id] = {"unit": "sales"}
    for p in staff[n : 2 * n]:
        changes[p.employee_id] = {"job_role": "manager"}
    for p in staff[2 * n :]:
        changes[p.employee_id] = leaving(date(2026, 11, 30))
    return roster_of(staff, **changes) + [
        new_person(f"N{i:04d}", hired=date(2026, 11, 16)) for i in range(hires)
    ]


@pytest.mark.parametrize("size", [6, 60])
def test_bulk_paths_keep_a_constant_number_of_queries(
    people, django_assert_max_num_queries, size
):  # P-2, P-6, P-7, P-33
    staff = people(size * 3)
    roster = _bulk_roster(staff, hires=size)
    with django_assert_max_num_queries(MAX_QUERIES):
        report = sync_roster(roster, confirm=True, now=NOW)
    assert report.status == "applied"
    assert report.counts["hire_count"] == size and report.counts["departure_count"] == size


# The same bound for 6 and 60 people of each kind (76 when written): set-based all through.
MAX_QUERIES = 80


def _depart(person, day: date) -> None:
    Person.objects.filter(pk=person.pk).update(status=Person.DEPARTED, left_on=day)
    Membership.objects.filter(user_id=person.user_id).update(
        valid_to=datetime(day.year, day.month, day.day + 1, tzinfo=TZ), open_flag=None
    )


def test_a_return_is_dated_by_hired_only_after_the_leaving_day(people):  # P-7
    first, second = people(2)
    _depart(first, date(2025, 6, 10))
    _depart(second, date(2025, 6, 10))
    roster = roster_of(
        [first, second],
        E0001={"status": "active", "hired": date(2024, 1, 1), "left": None},  # first hire day
        E0002={"status": "active", "hired": date(2026, 11, 2), "left": None},
    )
    report = sync_roster(roster, now=NOW)
    assert report.counts["return_count"] == 2
    opened = dict(Membership.objects.filter(open_flag=True).values_list("user_id", "valid_from"))
    assert opened[first.user_id] == datetime(2026, 12, 2, tzinfo=TZ)  # today: 2024 is before
    assert opened[second.user_id] == datetime(2026, 11, 2, tzinfo=TZ)


def test_health_names_a_held_sync_even_after_a_failed_one(people, make_user):  # P-7, P-33
    staff = people(3)
    sync_roster([], now=NOW)
    assert jobs.roster_held(NOW) == ["roster_held"]
    make_user("taken")
    with pytest.raises(RosterApplyError):
        sync_roster(roster_of(staff) + [new_person("N1", username="taken")], now=NOW)
    assert sorted(jobs.roster_held(NOW)) == ["roster_failed", "roster_held"]
