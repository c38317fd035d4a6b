"""Targets and scopes (P-31): `check`/`require` ask whether a user's roles reach a target.

A target is a user (id, User or Person), a unit, a course, or `ANY` ("may the user do the
action at all"); a scope says how far a role reaches: everywhere, the units a training
contact covers, the learner's own records, or the courses a publisher is staff of.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from elearn_plugin.org.queries import contact_unit_ids, unit_id_of
from elearn_plugin.permissions.role_facts import stored_facts
from elearn_plugin.permissions.roles import PUBLISHER_GROUP, roles_of
from elearn_plugin.permissions.rules import Action, Role, Scope, action_key, rule_of

log = logging.getLogger(__package__)  # "elearn_plugin.permissions", as before the split


class _Any(enum.Enum):
    """`ANY`: may the user do the action at all (a list page then filters by scope itself).
    A check with no target (None) is refused for every scope that depends on it (P-31)."""

    ANY = "any"


ANY = _Any.ANY


@dataclass(frozen=True)
class UnitTarget:
    """A unit as a target (a bare int target is a user id)."""

    unit_id: int


@dataclass(frozen=True)
class CourseTarget:
    """A course as a target."""

    course_key: str


def _target_user_id(target) -> int | None:
    if isinstance(target, bool):
        return None
    if isinstance(target, int):
        return target
    meta = getattr(target, "_meta", None)
    if meta is not None and meta.model_name == "user":
        return target.pk
    if meta is not None and meta.model_name == "person":
        return target.user_id
    return None


def _target_unit_id(target) -> int | None:
    if isinstance(target, UnitTarget):
        return target.unit_id
    meta = getattr(target, "_meta", None)
    if meta is not None and meta.model_name == "unit":
        return target.pk
    return None


def _in_scope(user, scope: Scope, target) -> bool:
    if scope is Scope.ALL:
        return True
    if target is None:
        # P-31: a scoped check needs its target, or ANY said out loud.
        log.warning("permission check with scope %s and no target refused (pass ANY)", scope)
        return False
    if scope is Scope.SELF:
        return target is ANY or _target_user_id(target) == user.pk
    if scope is Scope.UNIT:
        if target is ANY:
            return True
        unit_id = _target_unit_id(target)
        if unit_id is None:
            target_user = _target_user_id(target)
            if target_user is None:
                return False
            unit_id = unit_id_of(target_user)
        return unit_id is not None and unit_id in contact_unit_ids(user)
    if scope is Scope.COURSE:
        groups, _contact, staff = stored_facts(user)
        if PUBLISHER_GROUP in groups:
            return True
        if target is ANY:
            return bool(staff)
        key = target.course_key if isinstance(target, CourseTarget) else target
        return str(key) in staff
    return False


def reach_of(user) -> set[int] | None:
    """The units whose learners `user` reaches: None for HR (every unit), else the units
    they cover as a training contact, with their subtrees (empty for anyone else)."""
    if Role.HR in roles_of(user):
        return None
    return contact_unit_ids(user)


def check(user, action: Action | str, target=None) -> bool:
    """True when the user holds a role allowed to do `action` on `target` (deny by default).

    `target` is a user (id, User or Person), a unit, a course, or `ANY` to ask whether the
    user may do the action at all; None (the target left out) passes only roles whose scope
    is ALL.
    """
    rule = rule_of(action)
    if rule is None:
        log.error("permission check for an unregistered action %r refused", action_key(action))
        return False
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    roles = None
    for role, scope in rule.items():
        # Every active account is a learner: the learner's own actions need no role lookup.
        if role is not Role.LEARNER:
            roles = roles if roles is not None else roles_of(user)
            if role not in roles:
                continue
        if _in_scope(user, scope, target):
            return True
    return False


def require(user, action: Action | str, target=None) -> None:
    """Raise PermissionDenied unless `check` allows it."""
    if not check(user, action, target):
        raise PermissionDenied(_("You do not have permission to do this."))
