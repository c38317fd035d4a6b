"""HR's Transfer and Depart actions on the people admin: the intermediate page picks the unit
by code or name (autocomplete), the change goes through the lifecycle writer with HR as
actor, and no other role gets it done (P-6, P-7, P-31)."""

from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.lifecycle import admin_actions
from elearn_plugin.org.models import Person

CHANGELIST = "/admin/elearn_plugin/person/"


def _staff(user):
    user.is_staff = True  # the admin site itself admits staff accounts only
    user.save(update_fields=["is_staff"])
    return user


def test_hr_transfers_through_the_intermediate_page(client, learner, org_tree):  # P-6
    hr = _staff(org_tree["hr"])
    client.force_login(hr)
    person = Person.objects.get(user_id=learner)
    asked = client.post(CHANGELIST, {"action": "transfer", "_selected_action": [person.pk]})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "admin-autocomplete" in page and person.employee_id in page
    assert 'name="unit"' in page and 'name="day"' in page
    done = client.post(
        CHANGELIST,
        {
            "action": "transfer",
            "_selected_action": [person.pk],
            "apply": "1",
            "unit": org_tree["it"].pk,
            "day": "2026-03-16",
        },
        follow=True,
    )
    assert done.status_code == 200
    assert "1 people transferred to it" in done.content.decode()
    assert Person.objects.get(user_id=learner).unit_id == org_tree["it"].pk
    event = AuditEvent.objects.filter(verb="membership.changed").latest("id")
    assert event.actor_user_id == hr.pk


def test_hr_records_a_departure_effective_after_the_last_day(client, learner, org_tree):  # P-7
    client.force_login(_staff(org_tree["hr"]))
    person = Person.objects.get(user_id=learner)
    client.post(
        CHANGELIST,
        {"action": "depart", "_selected_action": [person.pk], "apply": "1", "day": "2026-04-30"},
    )
    person.refresh_from_db()
    assert (person.status, person.left_on.isoformat()) == (Person.DEPARTED, "2026-04-30")


def test_a_bad_day_shows_the_page_again_and_changes_nothing(client, learner, org_tree):  # P-7
    client.force_login(_staff(org_tree["hr"]))
    person = Person.objects.get(user_id=learner)
    response = client.post(
        CHANGELIST,
        {"action": "depart", "_selected_action": [person.pk], "apply": "1", "day": "30/04/x"},
    )
    assert response.status_code == 200 and b"errorlist" in response.content
    assert Person.objects.get(user_id=learner).status == Person.ACTIVE


def test_only_hr_gets_a_lifecycle_action_done(role_users, learner, org_tree):  # P-31
    page = admin.site._registry[Person]
    queryset = Person.objects.filter(user_id=learner)
    for role in ("learner", "contact", "other_contact", "reviewer", "publisher", "blocked"):
        request = RequestFactory().post(CHANGELIST, {"apply": "1", "day": "2026-04-30"})
        request.user = getattr(role_users, role)
        request.session = {}
        request._messages = FallbackStorage(request)
        assert admin_actions.depart(page, request, queryset) is None
        assert [m.level_tag for m in request._messages] == ["error"], role
    assert Person.objects.get(user_id=learner).status == Person.ACTIVE
