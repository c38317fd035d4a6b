"""Pages of the org domain."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from elearn_plugin.org import services
from elearn_plugin.permissions import Role, Scope, elearn_required, register, rules_for

# Every account may replace its own password and nobody else's (P-2, P-31).
CHANGE_OWN_PASSWORD = "change_own_password"
if not rules_for(CHANGE_OWN_PASSWORD):
    register(CHANGE_OWN_PASSWORD, {Role.LEARNER: Scope.SELF})


def _safe_next(request: HttpRequest) -> str:
    """Where to go after the change: this site, or a host the platform lets logins go to.

    After a first sign-in through the authn MFE, `next` is the absolute URL the LMS chose
    (its own host, or an MFE's listed in the platform's `LOGIN_REDIRECT_WHITELIST`).
    """
    target = request.POST.get("next") or request.GET.get("next") or "/"
    allowed = {request.get_host(), *getattr(settings, "LOGIN_REDIRECT_WHITELIST", ())}
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts=allowed, require_https=request.is_secure()
    ):
        return target
    return "/"


@sensitive_post_parameters()
@csrf_protect
@never_cache
@elearn_required(CHANGE_OWN_PASSWORD, lambda request: request.user.pk)
def password_change(request: HttpRequest) -> HttpResponse:
    """A learner replaces the initial password; only their own account is ever touched."""
    form = PasswordChangeForm(user=request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The new password and the cleared flag (with its audit event) commit together.
        with transaction.atomic():
            user = form.save()
            services.clear_must_change_password(user.pk, actor=request.user)
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": _safe_next(request),
        "forced": services.must_change_password(request.user.pk),
    }
    return render(request, "elearn_plugin/org/password_change.html", context, status=status)
