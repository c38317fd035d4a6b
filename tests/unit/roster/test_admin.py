"""HR's roster sync in the admin: a file read and shown before anything changes, a held sync
confirmed by HR, bad files refused, other roles kept out (P-2, P-6, P-7, P-31)."""

from datetime import date

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org.models import Person
from elearn_plugin.permissions import HR_GROUP
from elearn_plugin.roster.models import RosterSync
from tests.helpers.role_matrix import role_users  # noqa: F401 (a fixture)
from tests.unit.roster.conftest import csv_of, leaving, roster_of

SYNC = "/admin/elearn_plugin/rostersync/sync/"


def _hr(make_user):
    hr = make_user(is_staff=True)  # the admin site admits staff accounts only
    hr.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    return hr


def _upload(client, text: str):
    roster = SimpleUploadedFile("roster.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(SYNC, {"roster": roster})


def test_a_file_freezing_40_percent_is_shown_held_and_applied_only_when_confirmed(
    client, make_user, people
):  # P-7
    # 24 of 60 leave: above the guard's share and its minimum of 20
    staff = people(60)
    client.force_login(_hr(make_user))
    day = date(2026, 11, 30)
    text = csv_of(roster_of(staff, **{p.employee_id: leaving(day) for p in staff[:24]}))
    shown = _upload(client, text)
    page = shown.content.decode()
    assert shown.status_code == 200
    assert "E0001, E0002, E0003" in page and "and 4 more" in page and 'name="confirm"' in page
    assert Person.objects.filter(status=Person.DEPARTED).count() == 0  # read, not applied
    digest = shown.context["digest"]
    held = client.post(SYNC, {"digest": digest, "hold": "1"}, follow=True)
    assert "Held for confirmation" in held.content.decode()
    assert RosterSync.objects.get().status == "held"
    assert Person.objects.filter(status=Person.DEPARTED).count() == 0
    _upload(client, text)
    client.post(SYNC, {"digest": digest, "confirm": "1"})
    assert Person.objects.filter(status=Person.DEPARTED).count() == 24
    event = AuditEvent.objects.get(verb="roster.applied")
    assert event.data["departure_count"] == 24 and event.actor_user_id is not None


def test_a_small_change_is_applied_with_apply(client, make_user, people, org_tree):  # P-6
    staff = people(10)
    client.force_login(_hr(make_user))
    text = csv_of(roster_of(staff, **{staff[0].employee_id: {"unit": "ops"}}))
    digest = _upload(client, text).context["digest"]
    client.post(SYNC, {"digest": digest})
    assert Person.objects.get(pk=staff[0].pk).unit_id == org_tree["ops"].id


def test_a_bad_file_shows_its_problems_and_changes_nothing(client, make_user, people):  # P-2
    people(3)
    client.force_login(_hr(make_user))
    response = _upload(client, "employee_id,name\nE0001,x\n")
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not RosterSync.objects.exists()


def test_an_expired_upload_asks_for_the_file_again(client, make_user, people):  # P-33
    people(2)
    client.force_login(_hr(make_user))
    response = client.post(SYNC, {"digest": "0" * 64, "confirm": "1"}, follow=True)
    assert "expired" in response.content.decode()
    assert not RosterSync.objects.exists()


def test_only_hr_reaches_the_sync_page(client, role_users):  # noqa: F811  P-31
    for role in ("learner", "contact", "reviewer", "publisher", "blocked"):
        client.force_login(getattr(role_users, role))
        assert client.get(SYNC).status_code in (302, 403), role  # sign-in, or blocked
        assert client.post(SYNC, {"digest": "0" * 64, "confirm": "1"}).status_code in (302, 403)
