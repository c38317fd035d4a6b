"""HR's admin pages of P-29: the list of requests, feedback and complaints (filters by kind,
subject, state and late; each row opens the inbox page where it is answered through
`feedback.services.answer_item`), and the training-needs surveys (written, targeted, opened
and closed through `feedback.surveys`). HR only (`Action.MANAGE_FEEDBACK`)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import ReadOnlyAdmin
from elearn_plugin.feedback import surveys
from elearn_plugin.feedback.models import FeedbackItem, Survey, SurveyStatus
from elearn_plugin.feedback.services import FeedbackError, late_filter
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.rules.feedback import parse_questions, questions_text

LINK = "elearn_plugin/fragments/feedback_admin_link.html"


def _link(url: str, label: str) -> str:
    # A template, so what is shown is escaped (no HTML is built in code).
    return render_to_string(LINK, {"url": url, "label": label})


def _hr(request) -> bool:
    return check(request.user, Action.MANAGE_FEEDBACK, ANY)


class LateFilter(admin.SimpleListFilter):
    title = gettext_lazy("late")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Late: open past the due time")), ("no", _("Not late"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_filter(timezone.now()))
        if self.value() == "no":
            return queryset.exclude(late_filter(timezone.now()))
        return queryset


@admin.register(FeedbackItem)
class FeedbackItemAdmin(ReadOnlyAdmin):
    list_display = ("subject", "kind", "about", "course_key", "unit", "state", "created_at",
                    "due_at", "late", "answer_link")  # fmt: skip
    list_filter = ("kind", "about", "state", LateFilter)
    search_fields = ("subject", "course_key")
    ordering = ("state", "due_at")
    readonly_fields = ("user", "unit", "kind", "about", "course_key", "subject", "body", "state",
                       "created_at", "due_at", "answer", "answered_by", "answered_at",
                       "closed_at", "closed_by_learner")  # fmt: skip
    fields = readonly_fields

    def has_module_permission(self, request) -> bool:
        return _hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _hr(request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "user")

    @admin.display(description=gettext_lazy("late"), boolean=True)
    def late(self, obj: FeedbackItem) -> bool:
        return obj.is_late()

    @admin.display(description=gettext_lazy("answer"))
    def answer_link(self, obj: FeedbackItem) -> str:
        url = reverse("elearn:feedback-inbox-item", args=[obj.pk])
        label = _("Answer") if obj.state == "open" else _("Open")
        return _link(url, label)


class SurveyForm(forms.ModelForm):
    questions_text = forms.CharField(
        label=gettext_lazy("Questions"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 90}),
        help_text=gettext_lazy(
            "One question a line: 'single: question | choice | choice' (one choice), "
            "'multi: question | choice | choice' (several), 'scale: question' (1 to 5), "
            "'text: question' (free text)."
        ),
    )

    class Meta:
        model = Survey
        fields = ("title", "description", "units", "job_roles")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["questions_text"].initial = questions_text(self.instance.questions.all())

    def clean_questions_text(self):
        questions, problems = parse_questions(self.cleaned_data["questions_text"])
        if problems:
            raise forms.ValidationError([str(p) for p in problems])
        self.parsed_questions = questions
        return self.cleaned_data["questions_text"]

    def clean(self):
        data = super().clean()
        if not data.get("units") and not data.get("job_roles"):
            raise forms.ValidationError(_("Choose the units or job roles the survey is for."))
        return data


def _each(modeladmin, request, queryset, write, done_message: str) -> None:
    if not _hr(request):
        modeladmin.message_user(request, _("Only HR runs surveys."), messages.ERROR)
        return
    done = 0
    for pk in queryset.values_list("pk", flat=True)[:50]:
        try:
            write(pk, actor=request.user)
            done += 1
        except FeedbackError as exc:
            modeladmin.message_user(request, exc.message, messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.action(description=gettext_lazy("Open to its learners"))
def open_surveys(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, surveys.open_survey, _("%(count)s surveys opened."))


@admin.action(description=gettext_lazy("Close: take no more answers"))
def close_surveys(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, surveys.close_survey, _("%(count)s surveys closed."))


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyForm
    list_display = ("title", "status", "opened_at", "closed_at", "respondents", "results_link")
    list_filter = ("status",)
    filter_horizontal = ("units", "job_roles")
    actions = (open_surveys, close_surveys)

    def has_module_permission(self, request) -> bool:
        return _hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _hr(request)

    def has_add_permission(self, request) -> bool:
        return _hr(request)

    def has_change_permission(self, request, obj=None) -> bool:
        # Questions are fixed once a survey is opened: an opened survey is read only.
        return _hr(request) and (obj is None or obj.status == SurveyStatus.DRAFT)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_count=Count("responses"))

    @admin.display(description=gettext_lazy("respondents"))
    def respondents(self, obj: Survey) -> int:
        return getattr(obj, "response_count", 0)

    @admin.display(description=gettext_lazy("results"))
    def results_link(self, obj: Survey) -> str:
        url = reverse("elearn:survey-results", args=[obj.pk])
        return _link(url, _("Results"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = surveys.save_survey(
            obj.pk if change else None,
            title=data["title"],
            description=data.get("description", ""),
            questions=form.parsed_questions,
            unit_ids=[u.pk for u in data.get("units", [])],
            job_role_ids=[r.pk for r in data.get("job_roles", [])],
            actor=request.user,
        )
        obj.pk, obj.status = saved.pk, saved.status

    def save_related(self, request, form, formsets, change):
        """The targets were written by `surveys.save_survey` with the questions."""
