"""Admin for sanctions: HR reads them, imposes new ones and lifts with a reason; no edits."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import PluginAdmin, evidence_block, person_search
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.standing import services
from elearn_plugin.standing.models import Sanction

_FIELDS = (
    "user",
    "kind",
    "reason_code",
    "reason",
    "source",
    "starts_at",
    "ends_at",
    "created_at",
    "created_by",
    "lifted_at",
    "lifted_by",
    "lift_reason",
    "evidence_shown",
)


class LiftActionForm(ActionForm):
    lift_reason = forms.CharField(
        label=gettext_lazy("Reason for lifting"), required=False, max_length=1000
    )


class SanctionAddForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ("user", "kind", "reason_code", "reason", "source", "starts_at", "ends_at")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.validate_spec(
                services.SanctionSpec(
                    user_id=data["user"].pk,
                    kind=data["kind"],
                    reason_code=data["reason_code"],
                    source=data["source"],
                    reason=data.get("reason") or "",
                    starts_at=data.get("starts_at"),
                    ends_at=data.get("ends_at"),
                ),
                timezone.now(),
            )
        except services.SanctionError as exc:
            raise forms.ValidationError(str(exc))
        return data


@admin.action(description=gettext_lazy("Lift the selected sanctions (reason required)"))
def lift_selected(modeladmin, request, queryset):
    reason = (request.POST.get("lift_reason") or "").strip()
    if not reason:
        modeladmin.message_user(
            request, _("A reason is required to lift a sanction."), messages.ERROR
        )
        return
    rows = list(queryset.filter(lifted_at__isnull=True).values_list("pk", "user_id"))
    allowed = [pk for pk, user_id in rows if check(request.user, Action.LIFT_SANCTION, user_id)]
    # One bulk write (P-33); a row lifted meanwhile by someone else is skipped.
    lifted = services.lift_bulk(allowed, actor=request.user, reason=reason) if allowed else 0
    skipped = len(rows) - lifted
    modeladmin.message_user(
        request,
        _("%(lifted)s sanctions lifted, %(skipped)s skipped.")
        % {"lifted": lifted, "skipped": skipped},
        messages.SUCCESS if lifted else messages.WARNING,
    )


@admin.register(Sanction)
class SanctionAdmin(PluginAdmin):
    list_display = ("id", "user_id", "kind", "reason_code", "starts_at", "ends_at", "lifted_at")
    list_filter = ("kind", "reason_code", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("=user__id", *person_search("user"), "source", "reason_code")
    autocomplete_fields = ("user",)
    action_form = LiftActionForm
    add_form = SanctionAddForm
    actions = [lift_selected]
    date_hierarchy = "starts_at"

    exclude = ("evidence",)

    @admin.display(description=gettext_lazy("evidence"))
    def evidence_shown(self, obj: Sanction) -> str:
        return evidence_block(obj.evidence) if obj and obj.evidence else "-"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A sanction is history: once written only a lift (through the action) changes it.
        if obj is not None:
            return _FIELDS
        return (
            "created_at",
            "created_by",
            "lifted_at",
            "lifted_by",
            "lift_reason",
            "evidence_shown",
        )

    def has_module_permission(self, request) -> bool:
        return check(request.user, Action.MANAGE_SANCTIONS, ANY)

    def has_view_permission(self, request, obj=None) -> bool:
        return check(request.user, Action.MANAGE_SANCTIONS, ANY)

    def has_add_permission(self, request) -> bool:
        return check(request.user, Action.MANAGE_SANCTIONS, ANY)

    def has_change_permission(self, request, obj=None) -> bool:
        # The change page is read-only; the permission is needed to run the lift action.
        return check(request.user, Action.LIFT_SANCTION, ANY)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only; nothing to write
        sanction, _created = services.impose(
            obj.user_id,
            obj.kind,
            obj.reason_code,
            obj.source,
            reason=obj.reason,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            actor=request.user,
        )
        obj.pk = sanction.pk
