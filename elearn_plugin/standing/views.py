"""Pages of the standing domain: a learner's own standing and HR lifting a sanction."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from elearn_plugin.gate import describe_block
from elearn_plugin.permissions import ANY, Action, elearn_required, require
from elearn_plugin.standing import services
from elearn_plugin.standing.models import Sanction


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@require_GET
@elearn_required(Action.VIEW_OWN_RECORDS, lambda request: request.user.pk)
def my_standing(request: HttpRequest) -> JsonResponse:
    """The signed-in learner's sanctions and current block, as JSON."""
    block = services.active_block(request.user.pk)
    sanctions = Sanction.objects.filter(user_id=request.user.pk).order_by("-starts_at", "-pk")
    return JsonResponse(
        {
            "blocked": block is not None,
            "block": (
                {
                    "kind": block.kind,
                    "reason_code": block.reason_code,
                    "message": describe_block(block),
                    "ends_at": _iso(block.ends_at),
                }
                if block
                else None
            ),
            "sanctions": [
                {
                    "id": s.pk,
                    "kind": s.kind,
                    "reason_code": s.reason_code,
                    "reason": s.reason,
                    "starts_at": _iso(s.starts_at),
                    "ends_at": _iso(s.ends_at),
                    "lifted_at": _iso(s.lifted_at),
                }
                for s in sanctions
            ],
        }
    )


@require_http_methods(["GET", "POST"])
@elearn_required(Action.LIFT_SANCTION, ANY)
def lift_sanction(request: HttpRequest, sanction_id: int) -> HttpResponse:
    """HR lifts one sanction, giving a reason (P-8)."""
    sanction = get_object_or_404(Sanction, pk=sanction_id)
    require(request.user, Action.LIFT_SANCTION, sanction.user_id)
    error = ""
    status = 200
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            error, status = _("A reason is required to lift a sanction."), 400
        elif sanction.lifted_at is not None:
            error, status = _("This sanction was already lifted."), 409
        else:
            try:
                services.lift(sanction.pk, actor=request.user, reason=reason)
            except services.SanctionAlreadyLifted:
                error, status = _("This sanction was already lifted."), 409
            else:
                return redirect(reverse("elearn:standing-lift", args=[sanction.pk]) + "?done=1")
    return render(
        request,
        "elearn_plugin/standing/lift.html",
        {"sanction": sanction, "error": error, "done": request.GET.get("done") == "1"},
        status=status,
    )
