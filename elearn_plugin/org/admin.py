"""Admin pages for the HR centre. Every save goes through the org services."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from elearn_plugin.admin_base import (
    PEOPLE_AUTOCOMPLETE,
    HRAdmin,
    ReadOnlyAdmin,
    is_user_field,
    person_label,
    person_search,
)
from elearn_plugin.lifecycle import admin_actions as lifecycle_actions
from elearn_plugin.org import services
from elearn_plugin.org.models import JobRole, Membership, Person, TrainingContact, Unit


class UnitAdminForm(forms.ModelForm):
    """Refuses a parent inside the unit's own subtree before anything is saved."""

    class Meta:
        model = Unit
        fields = ("code", "name", "parent", "kind", "travel_heavy")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(_("A unit cannot be moved under itself or one of its subunits."))
        return parent


@admin.register(Unit)
class UnitAdmin(HRAdmin):
    form = UnitAdminForm
    list_display = ("code", "name", "parent", "kind", "travel_heavy", "depth")
    list_filter = ("kind", "travel_heavy")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # The code is the unit's natural key in HR files: fixed once created.
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # No org service deletes units (a deletion would cascade to training contacts
        # unrecorded, P-11); a unit leaves the tree by being moved.
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            if not change:
                unit, _created = services.create_unit(
                    obj.code,
                    obj.name,
                    parent_id=obj.parent_id,
                    kind=obj.kind,
                    travel_heavy=obj.travel_heavy,
                    actor=request.user,
                )
                obj.pk = unit.pk
                return
            services.update_unit(
                obj.pk,
                name=obj.name,
                kind=obj.kind,
                travel_heavy=obj.travel_heavy,
                actor=request.user,
            )
            services.move_unit(obj.pk, obj.parent_id, actor=request.user)
        except services.OrgError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)


@admin.register(JobRole)
class JobRoleAdmin(HRAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # The code is the role's natural key (HR files, `upsert_job_role`): editing it would
        # create another role instead of renaming this one.
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        # No org service deletes job roles: every org change is recorded (P-11).
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            role, _created = services.upsert_job_role(obj.code, obj.name, actor=request.user)
        except services.OrgError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        obj.pk = role.pk


class PeopleAutocompleteView(AutocompleteJsonView):
    """The users a form's field may name, found by name, employee id or username.

    Asked with Django's parameters (`app_label`, `model_name`, `field_name`, `term`). Django's
    own view asks the host's user admin for its view permission, which an HR officer's
    account does not carry; this one answers whoever may fill the form the field is on and
    may see HR's people (the plugin's roles, P-31), and refuses everyone else with 403.
    """

    def process_request(self, request):
        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            source_field = source_model._meta.get_field(request.GET["field_name"])
            source_admin = self.admin_site.get_model_admin(source_model)
        except (KeyError, LookupError, FieldDoesNotExist, NotRegistered) as exc:
            raise PermissionDenied from exc
        if not is_user_field(source_field) or source_field.name not in (
            source_admin.get_autocomplete_fields(request)
        ):
            raise PermissionDenied
        remote = source_field.remote_field
        to_field = remote.model._meta.get_field(remote.field_name).attname
        return request.GET.get("term", ""), source_admin, source_field, to_field

    def has_perm(self, request, obj=None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        source = self.model_admin
        if not (source.has_add_permission(request) or source.has_change_permission(request)):
            return False
        people = self.admin_site._registry.get(Person)
        return people is not None and people.has_view_permission(request)

    def get_queryset(self):
        users = (
            get_user_model()
            ._default_manager.select_related("elearn_person")
            .complex_filter(self.source_field.get_limit_choices_to())
        )
        for word in self.term.split()[:5]:
            users = users.filter(
                Q(username__icontains=word)
                | Q(elearn_person__name__icontains=word)
                | Q(elearn_person__employee_id__icontains=word)
            )
        return users.order_by(
            F("elearn_person__employee_id").asc(nulls_last=True), "username", "pk"
        )

    def serialize_result(self, obj, to_field_name) -> dict:
        return {"id": str(getattr(obj, to_field_name)), "text": person_label(obj)}


@admin.register(Person)
class PersonAdmin(HRAdmin):
    list_display = ("employee_id", "name", "unit", "job_role", "status", "must_change_password")
    list_filter = ("unit", "status")
    search_fields = ("employee_id", "name", "user__username")
    # Units and roles are picked by code or name, never by a raw id.
    autocomplete_fields = ("unit", "job_role")
    list_select_related = ("unit", "job_role")
    actions = (lifecycle_actions.transfer, lifecycle_actions.depart)
    # A "Sync with HR's roster" button beside the list (the roster sync's admin page).
    change_list_template = "elearn_plugin/admin/person_changelist.html"
    fields = ("user", "employee_id", "name", "unit", "job_role", "status", "must_change_password")
    readonly_fields = ("user", "employee_id", "status", "must_change_password")
    account_fields = ("user",)  # the person's own account: its username

    def get_urls(self):
        # The people lookup of every form that picks a user (`admin_base.PluginAdmin`).
        lookup = never_cache(PeopleAutocompleteView.as_view(admin_site=self.admin_site))
        return [path("autocomplete/", lookup, name=PEOPLE_AUTOCOMPLETE), *super().get_urls()]

    def has_add_permission(self, request) -> bool:
        # People are created by provisioning (manage.py elearn_provision), which sets passwords.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Departure freezes an account; the archive keeps the person (P-7, P-26).
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            services.update_person(
                obj.pk,
                name=obj.name,
                job_role_id=obj.job_role_id,
                unit_id=obj.unit_id,
                actor=request.user,
            )
        except services.OrgError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)


@admin.register(TrainingContact)
class TrainingContactAdmin(HRAdmin):
    list_display = ("user", "unit", "is_lead")
    list_filter = ("is_lead",)
    search_fields = ("unit__code", "unit__name", *person_search("user"))
    autocomplete_fields = ("user", "unit")
    list_select_related = ("unit",)

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():  # moving a contact: removed and assigned, or neither
            if change:
                old = TrainingContact.objects.get(pk=obj.pk)
                if (old.user_id, old.unit_id) != (obj.user_id, obj.unit_id):
                    services.remove_contact(old.user_id, old.unit_id, actor=request.user)
            contact, _created = services.assign_contact(
                obj.user_id, obj.unit_id, is_lead=obj.is_lead, actor=request.user
            )
        obj.pk = contact.pk

    def delete_model(self, request, obj) -> None:
        services.remove_contact(obj.user_id, obj.unit_id, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        # A handful of rows per admin action; all of them or none.
        with transaction.atomic():
            for user_id, unit_id in queryset.values_list("user_id", "unit_id"):
                services.remove_contact(user_id, unit_id, actor=request.user)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """The unit history is read-only: it changes only through unit changes of people."""

    list_display = ("user", "unit", "valid_from", "valid_to")
    list_filter = ("unit",)
    search_fields = (*person_search("user"), "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit")
    date_hierarchy = "valid_from"
