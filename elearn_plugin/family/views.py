"""The pages of the family view (P-35): the learner's and HR's list of links (issue, revoke),
and the public report behind a link.

The report page asks for no session: the link is the credential (listed in the endpoint
inventory's public pages with that reason). It shows the learner's month and standing, from
the same summary as the learner's own widget, with a first name or display name and nothing
else (no username, e-mail or address); it is not cached, indexed or sent on as a referrer.
With `ELEARN_FAMILY_VIEW_ENABLED` off every page answers 404 (a signed-out visitor of the
list pages is sent to sign in first, as on every signed-in page).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elearn_plugin.family import limits, services
from elearn_plugin.family.models import FamilyLink
from elearn_plugin.permissions import Action, elearn_required
from elearn_plugin.privacy.notice import notice_first

LINKS_TEMPLATE = "elearn_plugin/family/links.html"
REPORT_TEMPLATE = "elearn_plugin/family/report.html"
GONE_TEMPLATE = "elearn_plugin/family/gone.html"


class IssueForm(forms.Form):
    """The lifetime of a new link, from 1 day to the site's maximum (the default)."""

    def __init__(self, *args, longest: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            label=gettext_lazy("The link works for (days)"),
            min_value=1,
            max_value=longest,
            initial=longest,
            help_text=gettext_lazy("At most %(days)s days. You can revoke the link at any time.")
            % {"days": longest},
        )


def _private(response: HttpResponse, referrer: str = "no-referrer") -> HttpResponse:
    """A page holding a link or a learner's report: never cached or indexed, and its
    address (the report's holds the token) never sent on as a referrer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = referrer
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _require_enabled() -> None:
    if not services.enabled():
        raise Http404


def _links_page(request: HttpRequest, learner_id: int, *, own: bool) -> HttpResponse:
    _require_enabled()
    learner = get_user_model().objects.filter(pk=learner_id).first()
    if learner is None:
        raise Http404
    longest = services.max_days()
    form = IssueForm(request.POST if request.method == "POST" else None, longest=longest)
    context = {"form": form, "own": own, "learner_id": learner.pk, "new_url": None}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                issued = services.issue(
                    learner.pk, actor=request.user, days=form.cleaned_data["days"]
                )
            except services.FamilyError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                # Shown once, on this answer only: the database keeps the token's hash.
                context["new_url"] = request.build_absolute_uri(
                    reverse("elearn:family-view", kwargs={"token": issued.token})
                )
                context["form"] = IssueForm(longest=longest)
        else:
            status = 400
    if not own:
        context["learner_label"] = _display_name(learner)
    context["links"] = services.links_of(learner.pk)
    # `same-origin`, not `no-referrer`: browsers send `Origin: null` with a form posted from a
    # no-referrer page, which the CSRF check refuses; the token is in no address here.
    return _private(render(request, LINKS_TEMPLATE, context, status=status), "same-origin")


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.FAMILY_LINKS, lambda request: request.user.pk)
@notice_first
def my_links(request: HttpRequest) -> HttpResponse:
    """The learner's own links: issue one for the family, see its views, revoke it."""
    return _links_page(request, request.user.pk, own=True)


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.FAMILY_LINKS, lambda request, user_id: user_id)
def learner_links(request: HttpRequest, user_id: int) -> HttpResponse:
    """HR's page of one learner's links (a learner reaches only their own)."""
    return _links_page(request, user_id, own=user_id == request.user.pk)


def _owner_of(request: HttpRequest, link_id: int) -> int:
    owner = FamilyLink.objects.filter(pk=link_id).values_list("user_id", flat=True).first()
    return owner if owner is not None else request.user.pk  # unknown: 404 below


@require_POST
@elearn_required(Action.FAMILY_LINKS, _owner_of)
def revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    """Revoke one link (its learner or HR); back to the list it was revoked from."""
    _require_enabled()
    owner = FamilyLink.objects.filter(pk=link_id).values_list("user_id", flat=True).first()
    if owner is None:
        raise Http404
    services.revoke(link_id, actor=request.user, user_id=owner)
    if owner == request.user.pk:
        return HttpResponseRedirect(reverse("elearn:family-links") + "?revoked=1")
    target = reverse("elearn:family-learner-links", kwargs={"user_id": owner})
    return HttpResponseRedirect(target + "?revoked=1")


def _display_name(user) -> str:
    """The first name, else the display name HR recorded; never the username or address."""
    from elearn_plugin.org.models import Person  # noqa: PLC0415

    first = (getattr(user, "first_name", "") or "").strip()
    if first:
        return first
    name = Person.objects.filter(user_id=user.pk).values_list("name", flat=True).first()
    return name or gettext_lazy("the learner")


@never_cache
@require_GET
def report(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's progress and standing, for whoever holds the link."""
    _require_enabled()
    if not limits.allow(token):
        return _private(render(request, GONE_TEMPLATE, {"limited": True}, status=429))
    link = services.open_for_view(token)
    if link is None:  # unknown, expired, revoked, frozen: one answer
        return _private(render(request, GONE_TEMPLATE, {}, status=410))
    from elearn_plugin.learner.summary import month_summary  # noqa: PLC0415
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    summary = month_summary(link.user_id, get_policy())
    learner = get_user_model().objects.get(pk=link.user_id)
    context = {
        "name": _display_name(learner),
        "period": summary["period"],
        "quota": summary["quota"],
        "tasks": summary["tasks"],
        # Not `block`: templates name the current `{% block %}` so.
        "standing": summary["block"],
        "credits": summary["credits"],
        "expires_at": link.expires_at,
    }
    return _private(render(request, REPORT_TEMPLATE, context))
