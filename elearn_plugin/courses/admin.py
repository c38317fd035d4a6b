"""Admin pages of the courses domain; every change goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import PluginAdmin, ReadOnlyAdmin, person_search
from elearn_plugin.courses import assignment_rules, services
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentRule,
    CourseCompletion,
    CoursePolicy,
)
from elearn_plugin.permissions import ANY, check
from elearn_plugin.permissions.rules import Role, Scope, register, rule_of


@admin.register(CoursePolicy)
class CoursePolicyAdmin(PluginAdmin):
    list_display = ("course_key", "title", "kind", "origin", "credits", "updated_at")
    list_filter = ("kind", "origin")
    search_fields = ("course_key", "title")
    readonly_fields = ("record",)

    @admin.display(description=gettext_lazy("course record"))
    def record(self, obj) -> str:
        """P-11: who opened the course, who runs it, and who reviewed each version."""
        from elearn_plugin.courses.record import course_record  # noqa: PLC0415

        if obj is None or not obj.pk:
            return "-"
        return render_to_string("elearn_plugin/fragments/course_record.html", course_record(obj))

    def save_model(self, request, obj, form, change) -> None:
        try:
            row, _created = services.save_course_policy(
                services.CoursePolicySpec(
                    course_key=obj.course_key,
                    title=obj.title,
                    credits=obj.credits,
                    kind=obj.kind,
                    origin=obj.origin,
                )
            )
        except services.CourseDataError as exc:
            raise ValidationError(str(exc))
        obj.pk = row.pk


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = (
        "user_id",
        "course_key",
        "due_at",
        "source",
        "assigned_at",
        "enrolled_at",
        "withdrawn_at",
    )
    list_filter = ("source", ("withdrawn_at", admin.EmptyFieldListFilter), "course_key")
    search_fields = ("course_key", *person_search("user"))
    autocomplete_fields = ("user",)


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "course_key", "completed_at", "source")
    list_filter = ("source", "course_key")
    search_fields = ("course_key", *person_search("user"))
    autocomplete_fields = ("user",)


# --- assignment rules (P-14) ----------------------------------------------------------------

MANAGE_ASSIGNMENT_RULES = "manage_assignment_rules"
if rule_of(MANAGE_ASSIGNMENT_RULES) is None:
    register(MANAGE_ASSIGNMENT_RULES, {Role.HR: Scope.ALL})


class AssignmentRuleForm(forms.ModelForm):
    """HR's rule; every check of `save_rule` runs here first, shown next to the form."""

    class Meta:
        model = AssignmentRule
        fields = ("job_role", "course_key", "due_on", "due_days")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        role = data.get("job_role") or self.instance.job_role
        key, problems = assignment_rules.check_rule(
            role.code,
            data.get("course_key") or self.instance.course_key,
            due_on=data.get("due_on"),
            due_days=data.get("due_days"),
        )
        if problems:
            raise ValidationError(problems)
        if "course_key" in data:
            data["course_key"] = key
        return data


@admin.action(description=gettext_lazy("Remove the selected rules added by HR"))
def remove_selected_rules(modeladmin, request, queryset):
    removed = skipped = 0
    for pk, origin in queryset.values_list("pk", "origin"):
        if origin != AssignmentRule.Origin.HR:
            skipped += 1
            continue
        try:
            removed += assignment_rules.remove_rule(pk, actor=request.user)
        except assignment_rules.AssignmentRuleError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
    modeladmin.message_user(
        request,
        _("%(removed)s rules removed; %(skipped)s from the policy file left (edit the file).")
        % {"removed": removed, "skipped": skipped},
        messages.SUCCESS if removed else messages.WARNING,
    )


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(PluginAdmin):
    """HR's rules are edited here, through the services; the policy file's are shown only."""

    form = AssignmentRuleForm
    list_display = ("job_role", "course_key", "due_on", "due_days", "origin", "active")
    list_filter = ("origin", "active", "job_role")
    search_fields = ("course_key", "job_role__code")
    list_select_related = ("job_role",)
    actions = [remove_selected_rules]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("origin", "active")
        if obj.origin != AssignmentRule.Origin.HR:
            return ("job_role", "course_key", "due_on", "due_days", "origin", "active")
        # The role and course are the rule's natural key: another pair is another rule.
        return ("job_role", "course_key", "origin", "active")

    def _allowed(self, request) -> bool:
        return check(request.user, MANAGE_ASSIGNMENT_RULES, ANY)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.origin != AssignmentRule.Origin.HR:
            return False  # the policy file's rules change in the file
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # removed through the action: the row stays, inactive

    def save_model(self, request, obj, form, change) -> None:
        try:
            row, _created = assignment_rules.save_rule(
                obj.job_role.code,
                obj.course_key,
                due_on=obj.due_on,
                due_days=obj.due_days,
                actor=request.user,
            )
        except assignment_rules.AssignmentRuleError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = row.pk

    def log_addition(self, request, obj, message):
        return super().log_addition(request, obj, message) if obj.pk else None

    def log_change(self, request, obj, message):
        return super().log_change(request, obj, message) if obj.pk else None

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused by the service (a race the form could not see)
            return HttpResponseRedirect(reverse("admin:elearn_plugin_assignmentrule_changelist"))
        return super().response_add(request, obj, post_url_continue)
