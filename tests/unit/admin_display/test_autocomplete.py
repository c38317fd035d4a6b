"""Users are picked by name, employee id or username (autocomplete, never a raw id box),
through a lookup that asks the plugin's roles: HR gets the people, a learner gets 403
(P-31). Units are picked through Django's own lookup, which asks the unit admin (HR's)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.month_close.models import Standing
from elearn_plugin.org.models import Membership, TrainingContact
from elearn_plugin.standing.models import Sanction

PEOPLE = "/admin/elearn_plugin/person/autocomplete/"


def _ask(client, term, model_name="sanction", field_name="user", url=PEOPLE):
    return client.get(
        url,
        {"app_label": "elearn_plugin", "model_name": model_name, "field_name": field_name,
         "term": term},
    )  # fmt: skip


@pytest.mark.parametrize(
    "model", [Sanction, TrainingContact, Membership, Assignment, CourseCompletion, LedgerEntry,
              Standing],
)  # fmt: skip
def test_no_page_picks_a_user_or_a_unit_by_a_raw_id(model):
    model_admin = admin.site._registry[model]
    assert not model_admin.raw_id_fields
    assert "user" in model_admin.autocomplete_fields


def test_the_url_of_the_people_lookup():
    assert reverse("admin:elearn_plugin_people_autocomplete") == PEOPLE


@pytest.mark.parametrize("by", ["name", "employee_id", "username"])
def test_hr_finds_people_by_name_employee_id_or_username(hr_client, add_people, by):
    first, second = add_people(2)
    person = first.elearn_person
    term = {"name": person.name, "employee_id": person.employee_id, "username": first.username}
    found = _ask(hr_client, term[by])
    assert found.status_code == 200
    assert found.json()["results"] == [
        {"id": str(first.pk), "text": f"{person.name} ({person.employee_id})"}
    ]


def test_an_account_without_a_person_is_found_by_username(hr_client, make_user, add_people):
    add_people(1)
    other = make_user("contact-without-record")
    found = _ask(hr_client, "without", model_name="trainingcontact").json()["results"]
    assert found == [{"id": str(other.pk), "text": "contact-without-record"}]


def test_a_learner_is_refused(client, add_people):
    (learner,) = add_people(1)
    client.force_login(learner)
    assert _ask(client, "Person").status_code == 403


def test_anonymous_and_staff_without_the_role_are_refused(client, make_user, add_people):
    add_people(1)
    assert _ask(client, "Person").status_code == 403
    inactive_staff = make_user("gone", is_staff=True, is_active=False)
    client.force_login(inactive_staff)
    assert _ask(client, "Person").status_code == 403


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [
        ("sanction", "kind"),  # not a user
        ("sanction", "created_by"),  # a user, but not picked on that page
        ("person", "user"),  # shown, never picked
        ("nosuchmodel", "user"),
    ],
)
def test_the_lookup_answers_only_fields_that_pick_a_user(hr_client, model_name, field_name):
    assert _ask(hr_client, "x", model_name, field_name).status_code == 403


def test_the_sanction_form_uses_the_people_lookup(hr_client, add_people):
    (learner,) = add_people(1)
    form = hr_client.get("/admin/elearn_plugin/sanction/add/")
    assert form.status_code == 200
    text = form.content.decode()
    assert f'data-ajax--url="{PEOPLE}"' in text and 'name="user_0"' not in text
    added = hr_client.post(
        "/admin/elearn_plugin/sanction/add/",
        {"user": learner.pk, "kind": "warning", "reason_code": "missed_tasks",
         "source": "hr:manual-1", "reason": "", "starts_at_0": "2026-10-31",
         "starts_at_1": "23:59:00", "ends_at_0": "", "ends_at_1": ""},
    )  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:3000]
    assert Sanction.objects.get().user_id == learner.pk


def test_units_come_from_djangos_lookup_for_hr_only(hr_client, client, add_people, unit):
    found = _ask(hr_client, "sal", "trainingcontact", "unit", url="/admin/autocomplete/")
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["sales Sales"]
    (learner,) = add_people(1)
    client.force_login(learner)
    refused = _ask(client, "sal", "trainingcontact", "unit", url="/admin/autocomplete/")
    assert refused.status_code == 302 and "/login/" in refused["Location"]  # admin's sign-in
