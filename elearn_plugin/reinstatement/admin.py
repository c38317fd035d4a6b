"""HR's queue of reinstatement applications: read the statement and the sanctions, then
approve (the account reopens) or reject, each with the reason the learner is mailed (P-8,
P-23, P-31). Decisions are `Action.LIFT_SANCTION`; the list is HR's records."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import RecordsAdmin, person_search
from elearn_plugin.org.models import Person
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.reinstatement import services
from elearn_plugin.reinstatement.models import ApplicationStatus, ReinstatementApplication
from elearn_plugin.standing.models import Sanction

TEMPLATE = "elearn_plugin/admin/reinstatement_decision.html"
LISTED = 50


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the learner reads it)"),
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def _decide(modeladmin, request, queryset, *, action: str, write, title: str, submit: str):
    if not check(request.user, Action.LIFT_SANCTION, ANY):
        modeladmin.message_user(request, _("Only HR may decide on applications."), messages.ERROR)
        return None
    waiting = queryset.filter(status=ApplicationStatus.PENDING).select_related("user")
    form = DecisionForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for pk in waiting.values_list("pk", flat=True)[:LISTED]:
            try:
                write(pk, form.cleaned_data["reason"])
                done += 1
            except services.ReinstatementError as exc:
                modeladmin.message_user(request, str(exc), messages.WARNING)
        if done:
            modeladmin.message_user(
                request,
                _("%(count)s applications decided; the learners are told by e-mail.")
                % {"count": done},
                messages.SUCCESS,
            )
        return None
    listed = list(waiting[:LISTED])
    people = {
        p.user_id: p
        for p in Person.objects.filter(user_id__in=[a.user_id for a in listed]).select_related(
            "unit"
        )
    }
    for application in listed:
        application.person = people.get(application.user_id)
    if not listed:
        modeladmin.message_user(request, _("No waiting application is selected."), messages.INFO)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "applications": listed,
        "selected": [a.pk for a in listed],
        "action": action,
        "form": form,
        "submit_label": submit,
    }
    return TemplateResponse(request, TEMPLATE, context)


@admin.action(description=gettext_lazy("Approve: reopen the account"))
def approve(modeladmin, request, queryset):
    return _decide(
        modeladmin,
        request,
        queryset,
        action="approve",
        write=lambda pk, reason: services.approve(pk, actor=request.user, reason=reason),
        title=_("Approve applications"),
        submit=_("Approve and reopen"),
    )


@admin.action(description=gettext_lazy("Reject: the account stays closed"))
def reject(modeladmin, request, queryset):
    return _decide(
        modeladmin,
        request,
        queryset,
        action="reject",
        write=lambda pk, reason: services.reject(pk, actor=request.user, reason=reason),
        title=_("Reject applications"),
        submit=_("Reject"),
    )


@admin.register(ReinstatementApplication)
class ReinstatementApplicationAdmin(RecordsAdmin):
    list_display = ("user", "unit", "blocked_kind", "status", "created_at", "decided_at")
    list_filter = ("status", "blocked_kind")
    search_fields = person_search("user")
    readonly_fields = (
        "user",
        "blocked_kind",
        "status",
        "created_at",
        "statement",
        "sanctions",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    fields = readonly_fields
    actions = (approve, reject)
    ordering = ("status", "created_at")

    def get_queryset(self, request):
        # The employee's unit with each row, in the list's one query.
        return super().get_queryset(request).select_related("user__elearn_person__unit")

    @admin.display(description=gettext_lazy("unit"))
    def unit(self, obj: ReinstatementApplication) -> str:
        person = getattr(obj.user, "elearn_person", None)
        return person.unit.name if person is not None else "-"

    @admin.display(description=gettext_lazy("sanctions in force"))
    def sanctions(self, obj: ReinstatementApplication) -> str:
        rows = Sanction.objects.filter(user_id=obj.user_id, lifted_at__isnull=True).order_by(
            "starts_at"
        )
        return "; ".join(
            f"{s.kind} ({s.reason_code}) {timezone.localtime(s.starts_at):%Y-%m-%d}"
            for s in rows[:20]
        )

    def get_actions(self, request):
        # Decisions are HR's; the read-only base would otherwise hide every action.
        actions = super().get_actions(request)
        if not check(request.user, Action.LIFT_SANCTION, ANY):
            return {}
        return actions
