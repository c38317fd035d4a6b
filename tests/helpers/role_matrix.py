"""One user per role, and a check of an endpoint's status code for every role (P-31).

Usage in a test module:

    from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401

    def test_matrix(client, role_users):
        assert_role_matrix(client, "get", url, {"anonymous": 302, "learner": 200, ...})

Every role must appear in `expected`, so a new endpoint states its whole matrix; all
mismatches are reported at once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from elearn_plugin.org import services as org_services
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.permissions import HR_GROUP, PUBLISHER_GROUP, REVIEWER_GROUP
from elearn_plugin.standing import services as standing

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "contact",
    "other_contact",
    "hr",
    "reviewer",
    "publisher",
    "blocked",
)
PASSWORD = "matrix-pass-1234"
_seq = itertools.count(1)


@dataclass
class RoleUsers:
    """The users of the matrix; `learner`, `contact` and `blocked` share `unit`."""

    learner: object
    other_learner: object
    contact: object
    other_contact: object
    hr: object
    reviewer: object
    publisher: object
    blocked: object
    unit_id: int
    other_unit_id: int
    password: str = PASSWORD

    def user(self, role: str):
        if role == "anonymous":
            return None
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        return getattr(self, role)


_current: RoleUsers | None = None


def _user(label: str, **extra):
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=f"{label}{n}", email=f"{label}{n}@example.com", password=PASSWORD, **extra
    )
    return user


def _place(user, unit_id: int) -> None:
    # Test data: the org domain's provisioning is exercised by its own suite.
    Person.objects.create(
        user=user, employee_id=f"E{user.pk:06d}", name=f"Person {user.pk}", unit_id=unit_id
    )
    Membership.objects.create(user=user, unit_id=unit_id, valid_from=timezone.now())


def _grouped(user, group: str):
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def make_role_users() -> RoleUsers:
    """Create the units and one user per role; the blocked learner is suspended a week."""
    global _current
    n = next(_seq)
    root, _ = org_services.create_unit(f"matrix-root-{n}", "Root")
    unit, _ = org_services.create_unit(f"matrix-a-{n}", "Unit A", parent_id=root.pk)
    other, _ = org_services.create_unit(f"matrix-b-{n}", "Unit B", parent_id=root.pk)

    learner, other_learner, blocked = _user("learner"), _user("otherlearner"), _user("blocked")
    _place(learner, unit.pk)
    _place(blocked, unit.pk)
    _place(other_learner, other.pk)
    contact, other_contact = _user("contact"), _user("othercontact")
    _place(contact, unit.pk)
    _place(other_contact, other.pk)
    org_services.assign_contact(contact.pk, unit.pk)
    org_services.assign_contact(other_contact.pk, other.pk)

    hr = _grouped(_user("hr"), HR_GROUP)
    reviewer = _grouped(_user("reviewer"), REVIEWER_GROUP)
    publisher = _grouped(_user("publisher"), PUBLISHER_GROUP)

    now = timezone.now()
    standing.impose(
        blocked.pk,
        "suspension",
        "sharing",
        f"matrix:{n}",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=7),
    )
    _current = RoleUsers(
        learner=learner,
        other_learner=other_learner,
        contact=contact,
        other_contact=other_contact,
        hr=hr,
        reviewer=reviewer,
        publisher=publisher,
        blocked=blocked,
        unit_id=unit.pk,
        other_unit_id=other.pk,
    )
    return _current


@pytest.fixture
def role_users(db) -> RoleUsers:
    return make_role_users()


def assert_role_matrix(
    client,
    method: str,
    url: str,
    expected: dict[str, int],
    data=None,
    *,
    users: RoleUsers | None = None,
    content_type: str | None = None,
) -> None:
    """Request `url` as each role and compare status codes; report every mismatch."""
    users = users or _current
    if users is None:
        raise RuntimeError("create the role users first (fixture `role_users`)")
    unknown = set(expected) - set(ROLES)
    missing = set(ROLES) - set(expected)
    if unknown or missing:
        raise AssertionError(
            f"expected must name every role: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    call = getattr(client, method.lower())
    kwargs = {"content_type": content_type} if content_type else {}
    mismatches = []
    for role in ROLES:
        client.logout()
        user = users.user(role)
        if user is not None:
            client.force_login(user)
        response = call(url, data, **kwargs) if data is not None else call(url, **kwargs)
        if response.status_code != expected[role]:
            mismatches.append(f"{role}: expected {expected[role]}, got {response.status_code}")
    client.logout()
    assert not mismatches, f"{method.upper()} {url}:\n  " + "\n  ".join(mismatches)
