"""HR's list of account sharing incidents, with their evidence, and the decisions on the
flagged ones: confirm (a week's suspension) or dismiss (P-4, P-31)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import RecordsAdmin, person_search
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.sharing import services
from elearn_plugin.sharing.models import SessionOverlap, SharingIncident
from elearn_plugin.video.models import SharingSuspicion


def _decide(modeladmin, request, queryset, decide) -> None:
    if not check(request.user, Action.MANAGE_SANCTIONS, ANY):
        modeladmin.message_user(request, _("Only HR may decide on sharing."), messages.ERROR)
        return
    done = 0
    for incident_id in queryset.values_list("pk", flat=True)[:100]:
        try:
            decide(incident_id)
            done += 1
        except services.SharingError as exc:
            modeladmin.message_user(request, str(exc), messages.WARNING)
    if done:
        modeladmin.message_user(
            request, _("%(count)s incidents decided.") % {"count": done}, messages.SUCCESS
        )


@admin.action(description=gettext_lazy("Confirm: suspend for the policy's days"))
def confirm(modeladmin, request, queryset):
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    policy = get_policy()
    _decide(
        modeladmin,
        request,
        queryset,
        lambda pk: services.confirm(pk, policy, actor=request.user),
    )


@admin.action(description=gettext_lazy("Dismiss: no consequence"))
def dismiss(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, lambda pk: services.dismiss(pk, actor=request.user))


@admin.register(SharingIncident)
class SharingIncidentAdmin(RecordsAdmin):
    list_display = ("user", "starts_at", "ends_at", "status", "sanction")
    list_filter = ("status",)
    search_fields = person_search("user")
    readonly_fields = ("user", "starts_at", "ends_at", "status", "sanction", "evidence")
    fields = readonly_fields
    actions = (confirm, dismiss)

    @admin.display(description=gettext_lazy("evidence"))
    def evidence(self, obj: SharingIncident) -> str:
        rows = SharingSuspicion.objects.filter(pk__in=obj.suspicion_ids).order_by("detected_at")
        sign_ins = SessionOverlap.objects.filter(pk__in=obj.sign_in_ids).order_by("detected_at")
        return render_to_string(
            "elearn_plugin/fragments/sharing_evidence.html",
            {
                "suspicions": [(s.detected_at, s.evidence or {}) for s in rows[:50]],
                "sign_ins": [(s.detected_at, s.evidence or {}) for s in sign_ins[:50]],
            },
        )

    def get_actions(self, request):
        # Decisions are HR's; the read-only base would otherwise hide every action.
        actions = super().get_actions(request)
        if not check(request.user, Action.MANAGE_SANCTIONS, ANY):
            return {}
        return actions


@admin.register(SessionOverlap)
class SessionOverlapAdmin(RecordsAdmin):
    list_display = ("user", "detected_at", "handled_at")
    search_fields = person_search("user")
    readonly_fields = ("user", "detected_at", "evidence", "handled_at")
    fields = readonly_fields
