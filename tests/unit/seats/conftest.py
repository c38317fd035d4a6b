"""Fixtures of the seats suite: a unit tree, people in it, and the actors (P-2, P-7)."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from elearn_plugin import audit
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.permissions import HR_GROUP

_seq = itertools.count(1)


@pytest.fixture
def tree(db):
    """group -> (hq -> sales, sub -> sub_it)."""
    with audit.acting_as("system:fixtures"):
        group, _ = org.create_unit("group", "Group", kind="subsidiary")
        hq, _ = org.create_unit("hq", "Headquarters", parent_id=group.id)
        sales, _ = org.create_unit("sales", "Sales", parent_id=hq.id)
        sub, _ = org.create_unit("sub", "Subsidiary", parent_id=group.id, kind="subsidiary")
        sub_it, _ = org.create_unit("sub-it", "Subsidiary IT", parent_id=sub.id)
    return {"group": group, "hq": hq, "sales": sales, "sub": sub, "sub_it": sub_it}


def _user(label: str):
    n = next(_seq)
    return get_user_model().objects.create_user(
        username=f"{label}{n}", email=f"{label}{n}@example.com", password="seats-pass-1234"
    )


@pytest.fixture
def add_people(db):
    """`add_people(unit, n, status=ACTIVE)`: test data, written directly (provisioning is
    exercised by its own tests)."""

    def _add(unit, n: int, status: str = Person.ACTIVE) -> list[Person]:
        people = []
        for _i in range(n):
            user = _user("p")
            people.append(
                Person.objects.create(
                    user=user, employee_id=f"S{user.pk:06d}", name="X", unit=unit, status=status
                )
            )
        return people

    return _add


@pytest.fixture
def hr(db):
    user = _user("hr")
    user.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def make_contact(db):
    """`make_contact(unit, lead=True)`: a training contact (lead or not) of `unit`."""

    def _make(unit, *, lead: bool = True):
        user = _user("contact")
        with audit.acting_as("system:fixtures"):
            org.assign_contact(user.pk, unit.pk, is_lead=lead)
        return get_user_model().objects.get(pk=user.pk)

    return _make


@pytest.fixture
def learner(db, tree, add_people):
    return get_user_model().objects.get(pk=add_people(tree["sub_it"], 1)[0].user_id)
