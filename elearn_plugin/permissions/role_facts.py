"""The facts roles are computed from, cached between requests (P-31).

Group names, training-contact status and the host's course-staff keys are kept in the cache
under generation keys and memoised on the user object for one request; the receivers below
change the generations on every change of groups, memberships, contacts and (inside Open edX)
`CourseAccessRole`. `elearn_plugin.permissions.roles.roles_of` turns these facts into roles.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

# Group names and training-contact status are kept in the cache between requests. An entry is
# valid while the generation it was computed under is current: the user's own generation
# (changed when their groups or contact rows change) and a global one (changed when a group is
# renamed or deleted). Generations are changed, never deleted, so a value computed from data
# read before a change can never be taken for a fresh one.
ROLE_CACHE_SECONDS = 300
_GEN_ALL_KEY = "elearn:roles:gen"
_GEN_USER_KEY = "elearn:roles:gen:{}"
_FACTS_KEY = "elearn:roles:facts:v2:{}"
FACTS_ATTR = "_elearn_role_facts"


def _group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _is_training_contact(user) -> bool:
    try:
        from elearn_plugin.org.models import TrainingContact  # noqa: PLC0415
    except ImportError:
        return False
    return TrainingContact.objects.filter(user_id=user.pk).exists()


def _course_staff(user) -> set[str]:
    from elearn_plugin.host.roles import course_staff  # noqa: PLC0415

    return course_staff(user)


def _new_generation(key: str) -> str:
    value = uuid.uuid4().hex
    if cache.add(key, value, None):
        return value
    return cache.get(key) or value


def stored_facts(user) -> tuple[frozenset[str], bool, frozenset[str]]:
    """Group names, training-contact status and the host's course-staff keys: memoised on
    the user object (one request), else one cache read, else the database."""
    memo = getattr(user, FACTS_ATTR, None)
    if memo is not None:
        return memo
    gen_user_key = _GEN_USER_KEY.format(user.pk)
    facts_key = _FACTS_KEY.format(user.pk)
    found = cache.get_many([_GEN_ALL_KEY, gen_user_key, facts_key])
    gen_all = found.get(_GEN_ALL_KEY) or _new_generation(_GEN_ALL_KEY)
    gen_user = found.get(gen_user_key) or _new_generation(gen_user_key)
    entry = found.get(facts_key)
    if entry is not None and entry[0] == gen_all and entry[1] == gen_user:
        facts = entry[2], entry[3], entry[4]
    else:
        facts = (
            frozenset(_group_names(user)),
            _is_training_contact(user),
            frozenset(_course_staff(user)),
        )
        cache.set(facts_key, (gen_all, gen_user, *facts), ROLE_CACHE_SECONDS)
    setattr(user, FACTS_ATTR, facts)
    return facts


def _bump(keys: list[str]) -> None:
    def bump() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    # Now, for this process, and after commit, for a request that read the old rows meanwhile.
    bump()
    transaction.on_commit(bump)


def invalidate_roles(user_ids: Iterable[int] | None = None) -> None:
    """Make the cached roles of these users (all users when None) be computed again."""
    if user_ids is None:
        _bump([_GEN_ALL_KEY])
        return
    keys = [_GEN_USER_KEY.format(int(uid)) for uid in set(user_ids) if uid is not None]
    if keys:
        _bump(keys)


def _on_user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        invalidate_roles([instance.pk])
    elif pk_set is not None:
        invalidate_roles(pk_set)
    else:
        invalidate_roles()  # group.user_set.clear(): the members are no longer known


def _on_group_changed(sender, instance, **kwargs) -> None:
    # A renamed or deleted group can change the roles of all its members.
    invalidate_roles()


def _on_contact_changed(sender, instance, **kwargs) -> None:
    invalidate_roles([instance.user_id])


def _on_course_role_changed(sender, instance, **kwargs) -> None:
    # The host's CourseAccessRole (Studio's course team page, the platform's APIs).
    invalidate_roles([instance.user_id])


def connect_role_receivers() -> None:
    """Invalidate cached roles on every change of groups, memberships and contacts.

    Called from the app's `ready()`, so that every process (web, worker, command) that
    changes them tells the shared cache. Writes that send no signal (bulk_create, update,
    raw rows of the membership table) are seen when the cached entry expires.
    """
    from django.apps import apps as django_apps  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.models import Group  # noqa: PLC0415

    from elearn_plugin.org.models import TrainingContact  # noqa: PLC0415

    try:  # the host's course roles (Open edX only)
        course_role = django_apps.get_model("student", "CourseAccessRole")
    except LookupError:
        course_role = None
    membership = get_user_model().groups.through
    m2m_changed.connect(_on_user_groups_changed, sender=membership, dispatch_uid="elearn_roles_m2m")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_on_group_changed, sender=Group, dispatch_uid=f"elearn_roles_group_{name}")
        signal.connect(
            _on_contact_changed, sender=TrainingContact, dispatch_uid=f"elearn_roles_tc_{name}"
        )
        if course_role is not None:
            signal.connect(
                _on_course_role_changed, sender=course_role, dispatch_uid=f"elearn_roles_car_{name}"
            )
