"""The Django and DRF side of the permissions (P-31, P-8): the decorator for plain views, the
mixin for class-based views and the DRF permission class, each also refusing a blocked user."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from elearn_plugin.permissions.rules import Action
from elearn_plugin.permissions.scope import check, require

log = logging.getLogger(__package__)  # "elearn_plugin.permissions", as before the split


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
