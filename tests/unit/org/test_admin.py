"""HR's admin pages write through the org services (P-1)."""

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from elearn_plugin.org import admin as org_admin
from elearn_plugin.org.models import Membership, Person, TrainingContact, Unit


@pytest.fixture
def hr_request(make_user):
    request = RequestFactory().post("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_unit_form_refuses_a_cycle(tree):  # P-1
    hq = Unit.objects.get(code="hq")
    form = org_admin.UnitAdminForm(
        instance=hq,
        data={"code": "hq", "name": "HQ", "parent": tree["sales"].id, "kind": "department"},
    )
    assert not form.is_valid()
    assert "parent" in form.errors


def test_unit_admin_creates_and_moves_through_services(tree, hr_request):  # P-1
    model_admin = org_admin.UnitAdmin(Unit, admin.site)
    unit = Unit(code="new", name="New", parent=tree["sales"], kind="department")
    model_admin.save_model(hr_request, unit, None, change=False)
    created = Unit.objects.get(code="new")
    assert created.path.endswith(f"/{tree['sales'].id}/{created.id}/")
    created.parent_id = tree["sub"].id
    created.travel_heavy = True
    model_admin.save_model(hr_request, created, None, change=True)
    created.refresh_from_db()
    assert created.path == f"{tree['sub'].path}{created.id}/"
    assert created.travel_heavy is True


def test_person_admin_changes_unit_with_history(tree, hr_request, make_user):  # P-1
    user = make_user()
    person = Person.objects.create(user=user, employee_id="E1", name="Ada", unit=tree["hq"])
    Membership.objects.create(
        user=user, unit=tree["hq"], valid_from=datetime(2026, 1, 1, tzinfo=UTC)
    )
    model_admin = org_admin.PersonAdmin(Person, admin.site)
    assert model_admin.has_add_permission(hr_request) is False
    assert model_admin.has_delete_permission(hr_request) is False
    person.unit_id = tree["sales"].id
    model_admin.save_model(hr_request, person, None, change=True)
    assert Membership.objects.filter(user=user).count() == 2
    assert Membership.objects.get(user=user, open_flag=True).unit_id == tree["sales"].id


def test_membership_history_is_read_only(hr_request):  # P-1
    model_admin = org_admin.MembershipAdmin(Membership, admin.site)
    assert not model_admin.has_add_permission(hr_request)
    assert not model_admin.has_change_permission(hr_request)
    assert not model_admin.has_delete_permission(hr_request)


def test_contact_admin_uses_services(tree, hr_request, make_user):  # P-1
    model_admin = org_admin.TrainingContactAdmin(TrainingContact, admin.site)
    contact_user = make_user()
    obj = TrainingContact(user=contact_user, unit=tree["hq"], is_lead=True)
    model_admin.save_model(hr_request, obj, None, change=False)
    assert TrainingContact.objects.get(user=contact_user).is_lead is True
    model_admin.delete_queryset(hr_request, TrainingContact.objects.all())
    assert not TrainingContact.objects.exists()
