"""HR's two actions on the instructor list (P-27): link an instructor to their account, and
name instructors as the teachers of an online course whose team is not in the host.

Each asks on an intermediate page for what it needs (the account by username or employee
id; the course from the course policies), then calls `teaching.services` with the officer as
actor. A refused change shows its message and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.courses.models import CoursePolicy
from elearn_plugin.org.models import Person
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.teaching import services

TEMPLATE = "elearn_plugin/admin/teaching_action.html"


class AccountForm(forms.Form):
    account = forms.CharField(
        label=gettext_lazy("Account (username or employee ID)"), max_length=150
    )

    def clean_account(self) -> int:
        value = self.cleaned_data["account"].strip()
        found = (
            Person.objects.filter(employee_id=value).values_list("user_id", flat=True).first()
            or get_user_model().objects.filter(username=value).values_list("pk", flat=True).first()
        )
        if not found:
            raise forms.ValidationError(_("No account has this username or employee ID."))
        return found


class CourseForm(forms.Form):
    course_key = forms.ChoiceField(label=gettext_lazy("Online course"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_key"].choices = [
            (key, f"{title} ({key})")
            for key, title in CoursePolicy.objects.order_by("title").values_list(
                "course_key", "title"
            )
        ]


def _page(modeladmin, request, queryset, form, *, action, title, submit):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "instructors": list(queryset.order_by("name")[:30]),
        "selected": list(queryset.values_list("pk", flat=True)),
        "action": action,
        "form": form,
        "submit_label": submit,
    }
    return TemplateResponse(request, TEMPLATE, context)


def _hr(modeladmin, request) -> bool:
    if check(request.user, Action.VIEW_ALL_RECORDS, ANY):
        return True
    modeladmin.message_user(
        request, _("Only HR may change the instructor archive."), messages.ERROR
    )
    return False


@admin.action(description=gettext_lazy("Link to an account"))
def link_account(modeladmin, request, queryset):
    if not _hr(modeladmin, request):
        return None
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Choose one instructor to link."), messages.ERROR)
        return None
    form = AccountForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        instructor = queryset.get()
        try:
            changed = services.link_account(
                instructor.pk, form.cleaned_data["account"], actor=request.user
            )
        except services.TeachingError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        text = _("%(name)s is linked to the account.") if changed else _("Already linked.")
        modeladmin.message_user(request, text % {"name": instructor.name}, messages.SUCCESS)
        return None
    return _page(
        modeladmin, request, queryset, form, action="link_account",
        title=_("Link an instructor to an account"), submit=_("Link"),
    )  # fmt: skip


@admin.action(description=gettext_lazy("Name as teachers of an online course"))
def name_for_course(modeladmin, request, queryset):
    if not _hr(modeladmin, request):
        return None
    form = CourseForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        key = form.cleaned_data["course_key"]
        named = 0
        try:
            with transaction.atomic():  # all of them or, on a refusal, none
                for instructor in queryset:
                    _taught, created = services.name_instructor(
                        key, instructor.name, user_id=instructor.user_id, actor=request.user
                    )
                    named += created
        except services.TeachingError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            _("%(count)s instructors named for %(course)s.") % {"count": named, "course": key},
            messages.SUCCESS,
        )
        return None
    return _page(
        modeladmin, request, queryset, form, action="name_for_course",
        title=_("Name instructors as teachers of an online course"), submit=_("Name as teachers"),
    )  # fmt: skip
