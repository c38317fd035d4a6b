"""HR's list of learner contributions and the periodic judging of the best (P-12, P-31).
Reviewing a contribution happens in the review queue; this page rates and rewards approved
ones, through `contributions.awards.judge_round`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import ReadOnlyAdmin, person_label, person_search
from elearn_plugin.contributions import awards
from elearn_plugin.contributions.models import Contribution, ContributionAward
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.review.models import ReviewState

TEMPLATE = "elearn_plugin/admin/contribution_judging.html"


def _hr(request) -> bool:
    return check(request.user, Action.VIEW_ALL_RECORDS, ANY)


def _judging_form(contributions, data=None) -> forms.Form:
    fields: dict = {
        "round": forms.CharField(
            label=gettext_lazy("Judging (e.g. 2026-Q4)"), max_length=32, initial=""
        )
    }
    for c in contributions:
        fields[f"rating_{c.pk}"] = forms.IntegerField(
            label=gettext_lazy("Rating (1 to 5)"), min_value=1, max_value=5
        )
        fields[f"points_{c.pk}"] = forms.DecimalField(
            label=gettext_lazy("Reward points"), min_value=0, max_digits=8, decimal_places=2,
            initial=0,
        )  # fmt: skip
        fields[f"prize_{c.pk}"] = forms.CharField(
            label=gettext_lazy("Prize"), required=False, max_length=200
        )
    return type("JudgingForm", (forms.Form,), fields)(data)


@admin.action(description=gettext_lazy("Reward as the best of a judging"))
def reward(modeladmin, request, queryset):
    if not _hr(request):
        modeladmin.message_user(request, _("Only HR judges contributions."), messages.ERROR)
        return None
    chosen = list(queryset.filter(review__state=ReviewState.APPROVED)[: awards.MAX_AWARDS])
    if not chosen:
        modeladmin.message_user(
            request, _("Choose approved contributions to reward."), messages.WARNING
        )
        return None
    form = _judging_form(chosen, request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        data = form.cleaned_data
        specs = [
            awards.AwardSpec(
                c.pk, data[f"rating_{c.pk}"], data[f"points_{c.pk}"], data[f"prize_{c.pk}"]
            )
            for c in chosen
        ]
        try:
            done = awards.judge_round(data["round"], specs, actor=request.user)
        except awards.AwardError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            _("%(count)s contributions rewarded; the winners are told by e-mail.")
            % {"count": len(done)},
            messages.SUCCESS,
        )
        return None
    rows = [
        (c, person_label(c.user), form[f"rating_{c.pk}"], form[f"points_{c.pk}"],
         form[f"prize_{c.pk}"])
        for c in chosen
    ]  # fmt: skip
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Reward the best contributions"),
        "form": form,
        "rows": rows,
        "selected": [c.pk for c in chosen],
    }
    return TemplateResponse(request, TEMPLATE, context)


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ("title", "user", "content_type", "size", "review_state", "created_at")
    list_filter = ("review__state", "content_type")
    search_fields = ("title", *person_search("user"))
    actions = (reward,)

    def has_module_permission(self, request) -> bool:
        return _hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _hr(request)

    def get_actions(self, request):
        # Judging is HR's; the read-only base would otherwise hide every action.
        actions = super().get_actions(request)
        return actions if _hr(request) else {}

    @admin.display(description=gettext_lazy("review"))
    def review_state(self, obj: Contribution) -> str:
        return obj.review.get_state_display()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("review")


@admin.register(ContributionAward)
class ContributionAwardAdmin(ReadOnlyAdmin):
    list_display = ("round", "rank", "contribution", "rating", "points", "prize", "judged_by")
    list_filter = ("round",)

    def has_module_permission(self, request) -> bool:
        return _hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _hr(request)
