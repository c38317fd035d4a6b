"""A user's roles (P-31), computed from the facts cached by `role_facts` and memoised on the
user object for one request."""

from __future__ import annotations

from elearn_plugin.permissions.role_facts import FACTS_ATTR, invalidate_roles, stored_facts
from elearn_plugin.permissions.rules import Role

HR_GROUP = "elearn_hr"
REVIEWER_GROUP = "elearn_reviewer"
PUBLISHER_GROUP = "elearn_publisher"
AUDIT_CENTRE_GROUP = "elearn_audit_centre"
_ROLES_ATTR = "_elearn_roles"


def roles_of(user) -> frozenset[Role]:
    """The user's roles, memoised per user object (one request) and cached between requests.

    Staff and superuser flags are read from the user object itself; group membership and
    training-contact rows through the cache, invalidated by the receivers of `role_facts`.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not getattr(user, "is_active", True):
        return frozenset()
    cached = getattr(user, _ROLES_ATTR, None)
    if cached is not None:
        return cached
    groups, contact, staff = stored_facts(user)
    roles = {Role.LEARNER}
    if user.is_staff or user.is_superuser or HR_GROUP in groups:
        roles.add(Role.HR)
    if REVIEWER_GROUP in groups:
        roles.add(Role.REVIEWER)
    if PUBLISHER_GROUP in groups or staff:
        roles.add(Role.PUBLISHER)
    if contact:
        roles.add(Role.TRAINING_CONTACT)
    if AUDIT_CENTRE_GROUP in groups:
        roles.add(Role.AUDIT_CENTRE)
    result = frozenset(roles)
    setattr(user, _ROLES_ATTR, result)
    return result


def hr_user_ids() -> set[int]:
    """The active accounts `roles_of` gives the HR role: the HR group, staff, superusers.

    Mail meant for HR (hand-overs, the monthly summary) goes to these accounts.
    """
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db.models import Q  # noqa: PLC0415

    return set(
        get_user_model()
        .objects.filter(Q(groups__name=HR_GROUP) | Q(is_staff=True) | Q(is_superuser=True))
        .filter(is_active=True)
        .values_list("id", flat=True)
    )


def forget_roles(user) -> None:
    """Drop the roles computed for this user object and cached for the account."""
    for attr in (_ROLES_ATTR, FACTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    if getattr(user, "pk", None) is not None:
        invalidate_roles([user.pk])
