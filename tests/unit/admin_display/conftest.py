"""Fixtures of the admin display suite: a unit, people in it, an HR officer and a learner."""

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
def unit(db):
    with audit.acting_as("system:fixtures"):
        return org.create_unit("sales", "Sales")[0]


@pytest.fixture
def add_people(unit):
    """`add_people(n)`: n people in the unit, named "Person <n>" with employee ids E<pk>."""

    def _add(n: int) -> list:
        users = []
        for _i in range(n):
            k = next(_seq)
            user = get_user_model().objects.create_user(
                username=f"u{k}", email=f"u{k}@example.com", password="display-pass-1234"
            )
            Person.objects.create(
                user=user, employee_id=f"E{user.pk:05d}", name=f"Person {k}", unit=unit
            )
            users.append(user)
        return users

    return _add


@pytest.fixture
def hr(db):
    """An HR officer: staff (the admin admits staff only) in HR's group, not a superuser."""
    user = get_user_model().objects.create_user(
        username="hr-officer", email="hr@example.com", password="display-pass-1234",
        is_staff=True,
    )  # fmt: skip
    user.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(
        get_user_model().objects.create_user(
            username="root", email="root@example.com", is_staff=True, is_superuser=True
        )
    )
    return client
