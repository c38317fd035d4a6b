"""The audit and supervision centre's page: the referrals of illegal content, with their
evidence (P-5, P-31). The centre's members need no access to the administration pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from elearn_plugin.permissions import ANY, Action, elearn_required
from elearn_plugin.review.models import IllegalContentReferral

LISTED = 200


@require_GET
@elearn_required(Action.VIEW_REFERRALS, ANY)
def referrals(request: HttpRequest) -> HttpResponse:
    """Every referral, newest first: what, who uploaded it, who reported it, the evidence."""
    from elearn_plugin.contributions.models import Contribution  # noqa: PLC0415

    rows = list(
        IllegalContentReferral.objects.select_related("item", "uploader", "reported_by").order_by(
            "-created_at"
        )[:LISTED]
    )
    files = dict(
        Contribution.objects.filter(review_id__in=[r.item_id for r in rows]).values_list(
            "review_id", "pk"
        )
    )
    for row in rows:
        row.contribution_id = files.get(row.item_id)
    return render(request, "elearn_plugin/review/referrals.html", {"referrals": rows})
