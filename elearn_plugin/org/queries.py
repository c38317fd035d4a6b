"""The org domain's reads that other domains scope by (P-1, P-2, P-31): no writes.

A leaf module (the models and the cache only), so that `elearn_plugin.permissions` can
scope by units without importing the writers; `elearn_plugin.org.services` re-exports each
function (ADR 0001).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q

from elearn_plugin.org.models import Person, TrainingContact, Unit

# Cleared by the writers of `Person.must_change_password` (`elearn_plugin.org.people`).
PASSWORD_FLAG_KEY = "elearn:org:must-change-password:{}"
PASSWORD_FLAG_TTL = 300


def subtree_unit_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them."""
    ids = {int(unit_id) for unit_id in unit_ids}
    if not ids:
        return set()
    paths = sorted(Unit.objects.filter(id__in=ids).values_list("path", flat=True))
    # A path below another selected path adds nothing: keep the outermost ones only.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return set()
    query = Q()
    for root in roots:
        query |= Q(path__startswith=root)
    return set(Unit.objects.filter(query).values_list("id", flat=True))


def contact_unit_ids(user, *, leads_only: bool = False) -> set[int]:
    """Units (with their subtrees) that `user` covers as a training contact."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    contacts = TrainingContact.objects.filter(user_id=user.pk)
    if leads_only:
        contacts = contacts.filter(is_lead=True)
    return subtree_unit_ids(contacts.values_list("unit_id", flat=True))


def unit_id_of(user_id: int) -> int | None:
    """The learner's current unit, or None for an account outside the organisation."""
    return Person.objects.filter(user_id=user_id).values_list("unit_id", flat=True).first()


def units_without_contact() -> set[int]:
    """Units that no training contact covers, directly or through an ancestor (P-1)."""
    covered = subtree_unit_ids(TrainingContact.objects.values_list("unit_id", flat=True))
    return set(Unit.objects.exclude(id__in=covered).values_list("id", flat=True))


def people_named(search: str, unit_ids: set[int] | None, limit: int) -> list[tuple[int, str, str]]:
    """`(user id, name, employee id)` of active people in `unit_ids` (None: every unit) whose
    name or employee id contains `search` (empty: all), by name, at most `limit`."""
    people = Person.objects.filter(status=Person.ACTIVE)
    if unit_ids is not None:
        people = people.filter(unit_id__in=unit_ids)
    if search:
        people = people.filter(Q(name__icontains=search) | Q(employee_id__icontains=search))
    found = people.order_by("name", "employee_id").values_list("user_id", "name", "employee_id")
    return list(found[:limit])


def must_change_password(user_id: int) -> bool:
    """Whether the account still has its provisioned password; cached, cleared on change."""
    key = PASSWORD_FLAG_KEY.format(user_id)
    flag = cache.get(key)
    if flag is None:
        flag = Person.objects.filter(user_id=user_id, must_change_password=True).exists()
        cache.set(key, flag, PASSWORD_FLAG_TTL)
    return bool(flag)
