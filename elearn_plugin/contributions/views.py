"""A learner's contributions page (upload, and what became of each) and the file view, which
serves a contribution to its author, to reviewers and HR, and to other learners only once
approved (P-12, P-31)."""

from __future__ import annotations

from django import forms
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from elearn_plugin.contributions import services
from elearn_plugin.contributions.models import Contribution
from elearn_plugin.learner.summary import points_of
from elearn_plugin.permissions import ANY, Action, check, elearn_required
from elearn_plugin.review.models import IllegalContentReferral, ReviewState
from elearn_plugin.review.services import ReviewError

TEMPLATE = "elearn_plugin/contributions/mine.html"


class ContributionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services.MAX_TITLE)
    description = forms.CharField(
        label=_("What it is about"),
        required=False,
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("Text, PDF, an image (PNG, JPEG, GIF, WebP) or a video (MP4, WebM)."),
    )


def _page(request, form, status=200, done=False):
    mine = Contribution.objects.filter(user=request.user).select_related("review")
    points = request.user.pk and points_of(request.user.pk)
    return render(
        request,
        TEMPLATE,
        {"form": form, "mine": mine.order_by("-created_at")[:100], "points": points, "done": done},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@elearn_required(Action.CONTRIBUTE, lambda request: request.user.pk)
def my_contributions(request: HttpRequest) -> HttpResponse:
    """Upload a contribution; see each one's review state and the points earned."""
    if request.method == "GET":
        return _page(request, ContributionForm())
    form = ContributionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.submit_contribution(
            request.user,
            form.cleaned_data["title"],
            form.cleaned_data["description"],
            form.cleaned_data["file"],
        )
    except (services.ContributionError, ReviewError) as exc:
        form.add_error("file", str(exc))
        return _page(request, form, status=400)
    return _page(request, ContributionForm(), done=True)


@require_GET
@elearn_required(Action.CONTRIBUTE, ANY)
def contribution_file(request: HttpRequest, contribution_id: int) -> HttpResponse:
    """The file, as stored, with the kind read from its content and no sniffing by the browser."""
    contribution = Contribution.objects.filter(pk=contribution_id).select_related("review").first()
    if contribution is None:
        raise Http404
    own = contribution.user_id == request.user.pk
    reviewer = check(request.user, Action.REVIEW_COURSE, ANY)
    approved = contribution.review.state == ReviewState.APPROVED
    # P-5: the audit centre reads the evidence of what was referred to it.
    evidence = check(request.user, Action.VIEW_REFERRALS, ANY) and (
        IllegalContentReferral.objects.filter(item_id=contribution.review_id).exists()
    )
    if not (own or reviewer or approved or evidence):
        raise Http404  # not approved yet: as if it did not exist
    handle = default_storage.open(contribution.file.name, "rb")
    inline = contribution.content_type.startswith(("image/", "video/"))
    response = FileResponse(
        handle,
        content_type=contribution.content_type,
        as_attachment=not inline,
        filename=f"contribution-{contribution.pk}.{contribution.file.name.rsplit('.', 1)[-1]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
