"""The public pages of reinstatement: a revoked or frozen learner cannot sign in, so these
pages ask for no session. The link request answers the same for every address (no account
enumeration); the one-time link in the email is the only credential of the application page.
Both are listed in the endpoint inventory's public pages with this reason.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from elearn_plugin.reinstatement import limits, services
from elearn_plugin.reinstatement.forms import ApplicationForm, LinkRequestForm

REQUEST_TEMPLATE = "elearn_plugin/reinstatement/request.html"
APPLY_TEMPLATE = "elearn_plugin/reinstatement/apply.html"


@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for the one-time link; the answer does not say whether the account exists."""
    if request.method == "GET":
        return render(request, REQUEST_TEMPLATE, {"form": LinkRequestForm()})
    if not limits.allow(request.META.get("REMOTE_ADDR")):
        return render(
            request, REQUEST_TEMPLATE, {"form": LinkRequestForm(), "limited": True}, status=429
        )
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return render(request, REQUEST_TEMPLATE, {"form": form}, status=400)

    def link_url(token: str) -> str:
        return request.build_absolute_uri(
            reverse("elearn:reinstatement-apply", kwargs={"token": token})
        )

    services.request_link(form.cleaned_data["identifier"], link_url=link_url)
    return render(request, REQUEST_TEMPLATE, {"sent": True})


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, token: str) -> HttpResponse:
    """The application form behind the one-time link."""
    try:
        state = services.open_link(token)
    except services.ReinstatementError as exc:
        return render(request, APPLY_TEMPLATE, {"refused": str(exc)}, status=410)
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "kind": state.blocked_kind}
    if request.method == "GET":
        return render(request, APPLY_TEMPLATE, context)
    if not form.is_valid():
        return render(request, APPLY_TEMPLATE, context, status=400)
    try:
        services.apply(token, form.cleaned_data["statement"])
    except services.ReinstatementError as exc:
        form.add_error(None, str(exc))
        return render(request, APPLY_TEMPLATE, context, status=400)
    return render(request, APPLY_TEMPLATE, {"applied": True})
