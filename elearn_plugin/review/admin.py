"""HR's review queue: items by state, course and age; the decision form with the checklist;
each item's history from the audit trail; and the referrals of illegal content (P-5, P-10,
P-11, P-13, P-31). Reviewing is `Action.REVIEW_COURSE` (reviewers and HR); rows change only
through `review.services`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import ReadOnlyAdmin, in_policy_zone, person_label, person_search
from elearn_plugin.audit import target_of
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.contributions.models import Contribution
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.review import services
from elearn_plugin.review.models import (
    IllegalContentReferral,
    ReviewItem,
    ReviewState,
    UngatedUnit,
)
from elearn_plugin.rules.review import CHECKLIST

TEMPLATE = "elearn_plugin/admin/review_decision.html"
CHECK_LABELS = {
    "text_legal": gettext_lazy("Text checked: lawful and within company rules"),
    "video_legal": gettext_lazy("Videos checked: lawful and within company rules"),
    "images_legal": gettext_lazy("Images checked: lawful and within company rules"),
    "course_information": gettext_lazy("Course information present"),
    "syllabus": gettext_lazy("Syllabus present"),
    "resources": gettext_lazy("Learning resources present"),
}
STEPS = {
    "approve": gettext_lazy("Approve"),
    "request_changes": gettext_lazy("Ask for changes"),
    "reject": gettext_lazy("Reject"),
    "illegal": gettext_lazy("Illegal content: revoke the uploader and refer"),
}


class DecisionForm(forms.Form):
    step = forms.ChoiceField(label=gettext_lazy("Decision"), choices=list(STEPS.items()))
    reason = forms.CharField(
        label=gettext_lazy("Reason (the submitter reads it)"),
        required=False,
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in CHECKLIST:
            self.fields[f"check_{item}"] = forms.BooleanField(
                label=CHECK_LABELS[item], required=False
            )

    def checklist(self) -> dict[str, bool]:
        return {item: bool(self.cleaned_data.get(f"check_{item}")) for item in CHECKLIST}


class WaitingFilter(admin.SimpleListFilter):
    """How long a submission has waited for a decision."""

    title = gettext_lazy("waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [
            ("3", gettext_lazy("more than 3 days")),
            ("7", gettext_lazy("more than a week")),
            ("14", gettext_lazy("more than two weeks")),
        ]

    def queryset(self, request, queryset):
        from datetime import timedelta  # noqa: PLC0415

        if self.value() not in {"3", "7", "14"}:
            return queryset
        cutoff = timezone.now() - timedelta(days=int(self.value()))
        return queryset.filter(
            state__in=[ReviewState.SUBMITTED, ReviewState.IN_REVIEW], submitted_at__lt=cutoff
        )


class UnitFilter(admin.SimpleListFilter):
    """The unit of the person who submitted (their unit now)."""

    title = gettext_lazy("submitter's unit")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        from elearn_plugin.org.models import Unit  # noqa: PLC0415

        return [(str(pk), f"{code} {name}") for pk, code, name in
                Unit.objects.order_by("code").values_list("pk", "code", "name")[:200]]  # fmt: skip

    def queryset(self, request, queryset):
        from elearn_plugin.org.models import Person  # noqa: PLC0415

        if not (self.value() or "").isdigit():
            return queryset
        people = Person.objects.filter(unit_id=int(self.value())).values("user_id")
        return queryset.filter(submitted_by_id__in=people)


def _reviewer(request) -> bool:
    return check(request.user, Action.REVIEW_COURSE, ANY)


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "course_key", "state", "submitted_by", "submitted_at")
    list_filter = ("state", WaitingFilter, UnitFilter, "kind", "course_key")
    search_fields = ("title", "target_key", "course_key", *person_search("submitted_by"))
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    readonly_fields = (
        "kind", "course_key", "target_key", "title", "fingerprint", "state", "submitted_by",
        "submitted_at", "reviewer", "decided_at", "reason", "checklist", "decide_link",
    )  # fmt: skip
    fields = readonly_fields

    def has_module_permission(self, request) -> bool:
        return _reviewer(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _reviewer(request)

    @admin.display(description=gettext_lazy("decision"))
    def decide_link(self, obj: ReviewItem) -> str:
        if obj.state not in (ReviewState.SUBMITTED, ReviewState.IN_REVIEW):
            return "-"
        url = reverse("admin:elearn_plugin_reviewitem_decide", args=[obj.pk])
        # A template, so the link is escaped like every page (no HTML built in code).
        return render_to_string("elearn_plugin/fragments/review_link.html", {"url": url})

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:item_id>/decide/", decide, name="elearn_plugin_reviewitem_decide"),
            *super().get_urls(),
        ]

    @in_policy_zone
    def decide_view(self, request, item_id: int):
        """The checklist and the decision; refusals are shown, nothing changes then."""
        from django.http import HttpResponseForbidden, HttpResponseRedirect  # noqa: PLC0415

        if not _reviewer(request):
            return HttpResponseForbidden(_("Only reviewers and HR decide on reviews."))
        item = (
            ReviewItem.objects.filter(pk=item_id)
            .select_related("submitted_by__elearn_person")
            .first()
        )
        if item is None:
            self.message_user(request, _("No such review item."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:elearn_plugin_reviewitem_changelist"))
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                self._apply(request, item, form)
            except services.ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, _("The decision is recorded."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:elearn_plugin_reviewitem_changelist"))
        history = list(
            AuditEvent.objects.filter(target=target_of(item)).order_by("occurred_at", "pk")[:100]
        )
        names = {
            user.pk: person_label(user)
            for user in get_user_model()
            .objects.filter(pk__in={e.actor_user_id for e in history if e.actor_user_id})
            .select_related("elearn_person")
        }
        for event in history:
            event.actor_name = names.get(event.actor_user_id) or event.actor_system
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review: %(title)s") % {"title": item.title or item.target_key},
            "item": item,
            "submitter": person_label(item.submitted_by),
            "form": form,
            "history": history,
            "contribution": Contribution.objects.filter(review=item).first(),
            "waiting_days": (timezone.now() - item.submitted_at).days if item.submitted_at else 0,
        }
        return TemplateResponse(request, TEMPLATE, context)

    @staticmethod
    def _apply(request, item: ReviewItem, form: DecisionForm) -> None:
        step, reason = form.cleaned_data["step"], form.cleaned_data["reason"]
        if step == "illegal":
            services.report_illegal(item.pk, actor=request.user, description=reason)
        else:
            services.decide(
                item.pk, step, actor=request.user, reason=reason, checklist=form.checklist()
            )


@admin.register(IllegalContentReferral)
class IllegalContentReferralAdmin(ReadOnlyAdmin):
    """The audit and supervision centre's list (P-5): HR reads it here too."""

    list_display = ("pk", "item", "uploader", "reported_by", "created_at")
    readonly_fields = ("item", "uploader", "reported_by", "description", "evidence", "sanction")
    fields = (*readonly_fields, "created_at")

    def _allowed(self, request) -> bool:
        return check(request.user, Action.VIEW_REFERRALS, ANY)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)


@admin.register(UngatedUnit)
class UngatedUnitAdmin(ReadOnlyAdmin):
    """Units of internal courses published with content outside an approval gate."""

    list_display = ("course_key", "unit_key", "found_at")
    list_filter = ("course_key",)

    def has_module_permission(self, request) -> bool:
        return _reviewer(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _reviewer(request)
