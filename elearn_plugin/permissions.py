"""Who may do what, and to whom (P-31).

Every endpoint asks `check`/`require` with an `Action` and, when it acts on someone or
something, a target. A rule says which roles may do an action and how far each role reaches:
everywhere, the units a training contact covers, the learner's own records, or the courses a
publisher is staff of. Later capabilities add their own actions with `register`.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from elearn_plugin.role_facts import (  # noqa: F401 - invalidate_roles, connect_role_receivers: API
    FACTS_ATTR,
    connect_role_receivers,
    invalidate_roles,
    stored_facts,
)

log = logging.getLogger(__name__)

HR_GROUP = "elearn_hr"
REVIEWER_GROUP = "elearn_reviewer"
PUBLISHER_GROUP = "elearn_publisher"
_ROLES_ATTR = "_elearn_roles"


class Role(enum.StrEnum):
    HR = "hr"
    TRAINING_CONTACT = "training_contact"
    REVIEWER = "reviewer"
    PUBLISHER = "publisher"
    LEARNER = "learner"


class Scope(enum.StrEnum):
    ALL = "all"  # anyone, anything
    UNIT = "unit"  # learners and units in the contact's units (with subtrees)
    SELF = "self"  # the user's own records only
    COURSE = "course"  # courses the user publishes (all of them for the publisher group)


class Action(enum.StrEnum):
    VIEW_OWN_RECORDS = "view_own_records"
    VIEW_UNIT_RECORDS = "view_unit_records"
    VIEW_ALL_RECORDS = "view_all_records"
    MANAGE_SANCTIONS = "manage_sanctions"
    LIFT_SANCTION = "lift_sanction"
    PROVISION_ACCOUNTS = "provision_accounts"
    GRANT_LEARNING_SLOT = "grant_learning_slot"
    VIEW_HEALTH = "view_health"
    SWITCH_LEARNING = "switch_learning"
    REVIEW_COURSE = "review_course"
    PUBLISH_COURSE = "publish_course"
    REPORT_WATCH = "report_watch"


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


# action value -> {role: scope}
_RULES: dict[str, dict[Role, Scope]] = {}


def register(action: enum.Enum | str, rules: dict[Role, Scope], *, replace: bool = False) -> None:
    """Declare which roles may do an action and how far; an action is declared once."""
    key = _key(action)
    if key in _RULES and not replace:
        raise ValueError(f"permission rule for {key!r} is already registered")
    if not rules or not all(isinstance(r, Role) and isinstance(s, Scope) for r, s in rules.items()):
        raise ValueError(f"permission rule for {key!r} must map Role to Scope")
    _RULES[key] = dict(rules)


def rules_for(action: enum.Enum | str) -> dict[Role, Scope]:
    """The registered rule (a copy), for documentation pages and tests."""
    return dict(_RULES.get(_key(action), {}))


def _key(action: enum.Enum | str) -> str:
    return action.value if isinstance(action, enum.Enum) else str(action)


register(Action.VIEW_OWN_RECORDS, {Role.LEARNER: Scope.SELF, Role.HR: Scope.ALL})
register(Action.VIEW_UNIT_RECORDS, {Role.TRAINING_CONTACT: Scope.UNIT, Role.HR: Scope.ALL})
register(Action.VIEW_ALL_RECORDS, {Role.HR: Scope.ALL})
register(Action.MANAGE_SANCTIONS, {Role.HR: Scope.ALL})
register(Action.LIFT_SANCTION, {Role.HR: Scope.ALL})
register(Action.PROVISION_ACCOUNTS, {Role.HR: Scope.ALL, Role.TRAINING_CONTACT: Scope.UNIT})
register(Action.GRANT_LEARNING_SLOT, {Role.TRAINING_CONTACT: Scope.UNIT, Role.HR: Scope.ALL})
register(Action.VIEW_HEALTH, {Role.HR: Scope.ALL})
register(Action.SWITCH_LEARNING, {Role.HR: Scope.ALL})
register(Action.REVIEW_COURSE, {Role.REVIEWER: Scope.ALL, Role.HR: Scope.ALL})
register(Action.PUBLISH_COURSE, {Role.PUBLISHER: Scope.COURSE})
register(Action.REPORT_WATCH, {Role.LEARNER: Scope.SELF})


def roles_of(user) -> frozenset[Role]:
    """The user's roles, memoised per user object (one request) and cached between requests.

    Staff and superuser flags are read from the user object itself; group membership and
    training-contact rows through the cache, invalidated by the receivers below.
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
    result = frozenset(roles)
    setattr(user, _ROLES_ATTR, result)
    return result


def forget_roles(user) -> None:
    """Drop the roles computed for this user object and cached for the account."""
    for attr in (_ROLES_ATTR, FACTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    if getattr(user, "pk", None) is not None:
        invalidate_roles([user.pk])


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


def _covered_units(user) -> set[int]:
    from elearn_plugin.org.services import contact_unit_ids  # noqa: PLC0415

    return contact_unit_ids(user)


def _unit_of(user_id: int) -> int | None:
    from elearn_plugin.org.services import unit_id_of  # noqa: PLC0415

    return unit_id_of(user_id)


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
            unit_id = _unit_of(target_user)
        return unit_id is not None and unit_id in _covered_units(user)
    if scope is Scope.COURSE:
        groups, _contact, staff = stored_facts(user)
        if PUBLISHER_GROUP in groups:
            return True
        if target is ANY:
            return bool(staff)
        key = target.course_key if isinstance(target, CourseTarget) else target
        return str(key) in staff
    return False


def check(user, action: Action | str, target=None) -> bool:
    """True when the user holds a role allowed to do `action` on `target` (deny by default).

    `target` is a user (id, User or Person), a unit, a course, or `ANY` to ask whether the
    user may do the action at all; None (the target left out) passes only roles whose scope
    is ALL.
    """
    rule = _RULES.get(_key(action))
    if rule is None:
        log.error("permission check for an unregistered action %r refused", _key(action))
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


def is_blocked(user) -> bool:
    """True when the user's account is suspended, revoked or frozen now (P-8)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from elearn_plugin.standing.services import active_block  # noqa: PLC0415

    return active_block(user.pk) is not None


def elearn_required(action: Action | str, target: Callable | None = None):
    """Decorator for plain Django views: sign-in, standing and `require(action, target)`.

    `target(request, *args, **kwargs)` returns the target, or `target` is `ANY` (the view
    checks the scope itself); an anonymous user is sent to the sign-in page, a blocked or
    unauthorised one gets 403.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if is_blocked(user):
                raise PermissionDenied(_("Your account cannot be used at the moment."))
            value = target(request, *args, **kwargs) if callable(target) else target
            require(user, action, value)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ElearnRequiredMixin:
    """Mixin for class-based views: set `elearn_action`, override `get_elearn_target`
    (return `ANY` when the view filters by scope itself; None passes only unscoped roles)."""

    elearn_action: Action | str | None = None

    def get_elearn_target(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.elearn_action is None:
            raise PermissionDenied
        if is_blocked(user):
            raise PermissionDenied(_("Your account cannot be used at the moment."))
        require(user, self.elearn_action, self.get_elearn_target())
        return super().dispatch(request, *args, **kwargs)


try:
    from rest_framework.permissions import BasePermission
except ImportError:  # pragma: no cover - DRF is part of every Open edX install
    BasePermission = object


class ElearnPermission(BasePermission):
    """DRF permission: the view's `elearn_action`, and no blocked user (token auth too)."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "elearn_action", None)
        if action is None:
            log.error("view %s has no elearn_action; refused", type(view).__name__)
            return False
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        # Session logins are ended by the middleware; tokens and JWTs only meet this check.
        if is_blocked(user):
            self.message = _("Your account cannot be used at the moment.")
            return False
        target = view.get_elearn_target() if hasattr(view, "get_elearn_target") else None
        return check(user, action, target)

    def has_object_permission(self, request, view, obj) -> bool:
        action = getattr(view, "elearn_action", None)
        if action is None:
            return False
        target = view.elearn_object_target(obj) if hasattr(view, "elearn_object_target") else obj
        return check(request.user, action, target)
