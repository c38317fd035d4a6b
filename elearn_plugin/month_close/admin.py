"""Admin for the month close: HR reads each month, its standings with their evidence, and
confirms a close the guard held. Nothing here is edited by hand (P-33)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import RecordsAdmin, evidence_block, person_search
from elearn_plugin.month_close import services
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.permissions import ANY, Action, check


@admin.action(description=gettext_lazy("Confirm the held close (apply its sanctions)"))
def confirm_selected(modeladmin, request, queryset):
    if not check(request.user, Action.MANAGE_SANCTIONS, ANY):
        modeladmin.message_user(request, _("You may not confirm a month close."), messages.ERROR)
        return
    done = []
    for label in queryset.filter(status=CloseStatus.HELD).values_list("period", flat=True):
        try:
            services.confirm(label, actor=request.user)
        except services.CloseError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            done.append(label)
    if done:
        modeladmin.message_user(
            request,
            _(
                "Confirmed: %(months)s. The next tick applies the sanctions and sends the "
                "emails (or run manage.py elearn_close_period)."
            )
            % {"months": ", ".join(done)},
            messages.SUCCESS,
        )
    else:
        modeladmin.message_user(request, _("No held close was selected."), messages.WARNING)


@admin.register(MonthClose)
class MonthCloseAdmin(RecordsAdmin):
    list_display = (
        "period",
        "status",
        "learners",
        "warnings",
        "suspensions",
        "revocations",
        "decided_at",
        "closed_at",
        "policy_hash",
    )
    list_filter = ("status",)
    actions = [confirm_selected]
    readonly_fields = (
        "period",
        "status",
        "policy_hash",
        "runner",
        "decided_at",
        "judged_at",
        "held_at",
        "confirmed_at",
        "confirmed_by",
        "closed_at",
        "chunk_count",
        "learners",
        "warnings",
        "suspensions",
        "revocations",
        "sanctioned",
        "quota_email",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        # The change page stays read-only; the permission lets HR run the confirm action.
        return check(request.user, Action.MANAGE_SANCTIONS, ANY)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not check(request.user, Action.MANAGE_SANCTIONS, ANY):
            actions.pop("confirm_selected", None)
        return actions


@admin.register(Standing)
class StandingAdmin(RecordsAdmin):
    list_display = (
        "period",
        "user_id",
        "unit",
        "required_completed",
        "quota",
        "quota_met",
        "missed_tasks",
        "months_with_misses",
        "consequence_list",
        "exempt",
    )
    list_filter = ("period", "quota_met", "exempt")
    search_fields = ("=user__id", *person_search("user"))
    list_select_related = ("unit",)
    autocomplete_fields = ("user",)
    exclude = ("evidence",)
    readonly_fields = (
        "period",
        "user",
        "unit",
        "required_completed",
        "quota",
        "quota_met",
        "missed_tasks",
        "months_with_misses",
        "consequences",
        "exempt",
        "evidence_shown",
        "judged_at",
        "close",
    )

    @admin.display(description=gettext_lazy("consequences"))
    def consequence_list(self, obj: Standing) -> str:
        return ", ".join(obj.consequences or []) or "-"

    @admin.display(description=gettext_lazy("evidence"))
    def evidence_shown(self, obj: Standing) -> str:
        return evidence_block(obj.evidence)
