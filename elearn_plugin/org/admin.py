"""Admin pages for the HR centre. Every save goes through the org services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from elearn_plugin.admin_base import HRAdmin, ReadOnlyAdmin
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
    search_fields = ("unit__code", "unit__name", "user__username")
    autocomplete_fields = ("user", "unit")

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
    search_fields = ("user__username", "unit__code")
    raw_id_fields = ("user", "unit")
    date_hierarchy = "valid_from"
