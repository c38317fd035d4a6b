"""HR's admin lists name people as "Name (employee id)" (the username where HR has no such
person), find them by name or employee id, and load the page's people with its rows: the
query count of a list does not grow with its rows (P-31)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.courses.models import Assignment
from elearn_plugin.org.models import TrainingContact
from elearn_plugin.sharing.models import SharingIncident
from elearn_plugin.standing.models import Sanction

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _sanctions(users, hr):
    Sanction.objects.bulk_create(
        Sanction(user=u, kind="warning", reason_code="missed_tasks", source=f"t:{u.pk}",
                 created_by=hr)
        for u in users
    )  # fmt: skip


def _contacts(users, unit):
    TrainingContact.objects.bulk_create(TrainingContact(user=u, unit=unit) for u in users)


def _assignments(users):
    Assignment.objects.bulk_create(
        Assignment(user=u, course_key="course-v1:Org+Safety+2026", due_at=T0, source="hr")
        for u in users
    )


def _incidents(users, hr):
    SharingIncident.objects.bulk_create(
        SharingIncident(user=u, starts_at=T0, ends_at=T0 + timedelta(hours=1), status="flagged",
                        decided_by=hr)
        for u in users
    )  # fmt: skip


def test_the_sanctions_list_names_people(hr_client, hr, add_people, make_user):
    (person,) = add_people(1)
    nobody = make_user("no-record")  # an account HR's records do not know
    _sanctions([person, nobody], hr)
    page = hr_client.get("/admin/elearn_plugin/sanction/")
    assert page.status_code == 200
    text = page.content.decode()
    label = f"{person.elearn_person.name} ({person.elearn_person.employee_id})"
    assert f'<td class="field-user_id">{label}</td>' in text
    assert '<td class="field-user_id">no-record</td>' in text


@pytest.mark.parametrize(
    ("url", "make", "client_name"),
    [
        ("/admin/elearn_plugin/sanction/", lambda users, hr, unit: _sanctions(users, hr), "hr"),
        ("/admin/elearn_plugin/trainingcontact/", lambda u, hr, unit: _contacts(u, unit), "hr"),
        ("/admin/elearn_plugin/sharingincident/", lambda u, hr, unit: _incidents(u, hr), "hr"),
        ("/admin/elearn_plugin/assignment/", lambda u, hr, unit: _assignments(u), "root"),
    ],
)
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(
    request, url, make, client_name, hr, unit, add_people
):
    client = request.getfixturevalue("hr_client" if client_name == "hr" else "superuser_client")
    make(add_people(3), hr, unit)
    client.get(url)  # warm the session and the role caches
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count(" (E0") >= 3
    make(add_people(27), hr, unit)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count(" (E0") >= 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("term", ["name", "employee_id"])
def test_the_search_box_finds_people_by_name_and_employee_id(hr_client, hr, add_people, term):
    first, second = add_people(2)
    _sanctions([first, second], hr)
    wanted = getattr(first.elearn_person, term)
    text = hr_client.get("/admin/elearn_plugin/sanction/", {"q": wanted}).content.decode()
    assert first.elearn_person.employee_id in text
    assert second.elearn_person.employee_id not in text


def test_a_change_page_names_the_people_it_shows(hr_client, hr, add_people):
    (person,) = add_people(1)
    _sanctions([person], hr)
    sanction = Sanction.objects.get()
    text = hr_client.get(f"/admin/elearn_plugin/sanction/{sanction.pk}/change/").content.decode()
    assert f"{person.elearn_person.name} ({person.elearn_person.employee_id})" in text
    assert '<div class="readonly">hr-officer</div>' in text  # created by: HR has no record


def test_the_ranking_entries_name_people(hr_client, add_people):
    from elearn_plugin.rankings.models import Ranking, RankingEntry

    users = add_people(2)
    ranking = Ranking.objects.create(
        period="2026-03", kind="month", starts_at=T0, ends_at=T0 + timedelta(days=30),
        top_n=10, ties="share", policy_hash="x" * 64, frozen_at=T0 + timedelta(days=31),
    )  # fmt: skip
    RankingEntry.objects.bulk_create(
        RankingEntry(ranking=ranking, rank=i + 1, user=u, credits=5) for i, u in enumerate(users)
    )
    text = hr_client.get(f"/admin/elearn_plugin/ranking/{ranking.pk}/change/").content.decode()
    for user in users:
        assert f"{user.elearn_person.name} ({user.elearn_person.employee_id})" in text
