"""The privacy notice (P-32): what the plugin records about learners, why, and for how long.

The notice is public (anyone may read what a site records; a family member holding a report
link too); acknowledging it is the signed-in learner's own act (`VIEW_OWN_RECORDS` on
themself). The periods shown come from the policy file, so the page never disagrees with
what the retention job erases.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from elearn_plugin.permissions import Action, elearn_required
from elearn_plugin.privacy import notice

TEMPLATE = "elearn_plugin/privacy/notice.html"


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@never_cache
@require_GET
def notice_page(request: HttpRequest) -> HttpResponse:
    """The notice; a learner who has not acknowledged this version gets the button."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    policy = get_policy()
    version = notice.current_version(policy)
    user = request.user
    signed_in = user.is_authenticated
    context = {
        "rule": policy.privacy,
        "version": version,
        "signed_in": signed_in,
        "acknowledged_at": notice.acknowledged_at(user.pk, version) if signed_in else None,
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    return render(request, TEMPLATE, context)


@require_POST
@elearn_required(Action.VIEW_OWN_RECORDS, lambda request: request.user.pk)
def acknowledge(request: HttpRequest) -> HttpResponse:
    """The learner read the current notice: recorded once, then back where they were going."""
    notice.acknowledge(request.user.pk, actor=request.user)
    target = _safe_next(request, request.POST.get("next", ""))
    return HttpResponseRedirect(target or reverse("elearn:privacy-notice"))
