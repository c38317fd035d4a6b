"""The base of the plugin's admin pages, and the admin base for evidence and history.

`PluginAdmin` shows people and times the way HR reads them, on every page built on it:

- a user (a foreign key to the user model, in a column or a read-only field) is shown as the
  person, "Name (employee id)", or the username where nobody in HR's records has that
  account; the page's people come with its rows (`select_related`), never a query per row;
- a user picked in a form is found by name, employee id or username
  (`autocomplete_fields`), through a lookup that asks the plugin's roles, not the host's
  per-model permissions an HR officer's account does not carry;
- date-times are shown, and read from forms, in the policy's time zone: a due date of 23:59
  on the last day of the month is that day's 23:59, not the next day's midnight in UTC.

`ReadOnlyAdmin` and `RecordsAdmin` are for evidence and history: rows are written by the
services only. Nobody adds, edits or deletes these rows by hand, so a re-run job and the audit
trail always agree with the table (P-11, P-33); staff still list and open them.
"""

from __future__ import annotations

import contextlib
import functools
import json
from datetime import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elearn_plugin.permissions import ANY, Action, check

PEOPLE_AUTOCOMPLETE = "elearn_plugin_people_autocomplete"
EMPTY = "-"


# --- people -------------------------------------------------------------------------------


def person_label(user) -> str:
    """The account's person as "Name (employee id)"; the username if HR has none.

    Reads `user.elearn_person` as loaded with the user (`select_related`): no query when the
    caller joined it, one otherwise.
    """
    if user is None:
        return EMPTY
    try:
        person = user.elearn_person
    except ObjectDoesNotExist:
        person = None
    if person is None:
        return user.get_username()
    return gettext("%(name)s (%(employee_id)s)") % {
        "name": person.name,
        "employee_id": person.employee_id,
    }


def person_search(field: str = "user") -> tuple[str, ...]:
    """Search lookups that find the rows of a person by name, employee id or username."""
    return (
        f"{field}__elearn_person__name",
        f"{field}__elearn_person__employee_id",
        f"{field}__username",
    )


def is_user_field(field) -> bool:
    """A forward foreign key (or one-to-one) to the user model."""
    return (
        isinstance(field, models.ForeignKey)
        and field.remote_field is not None
        and field.remote_field.model is get_user_model()
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A user picked in a form, labelled with the person."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, asking the people lookup (`org.admin`) instead."""

    def get_url(self) -> str:
        return reverse(f"{self.admin_site.name}:{PEOPLE_AUTOCOMPLETE}")


# --- times --------------------------------------------------------------------------------


def display_zone():
    """The policy's time zone (the site's where no policy is configured)."""
    from elearn_plugin.l10n import display_tz  # noqa: PLC0415

    return display_tz()


def local_time(value: datetime | None) -> str:
    """`2026-10-31 23:59 (Asia/Shanghai)`: an aware date-time in the policy's zone."""
    if value is None:
        return EMPTY
    zone = display_zone()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    shown = value.astimezone(zone)
    return f"{shown:%Y-%m-%d %H:%M} ({getattr(zone, 'key', shown.tzname())})"


@contextlib.contextmanager
def policy_zone():
    """Forms read and pages render date-times in the policy's zone within this block."""
    with timezone.override(display_zone()):
        yield


def in_policy_zone(view):
    """A view (a ModelAdmin method) run, and its page rendered, in the policy's zone."""

    @functools.wraps(view)
    def wrapped(self, request, *args, **kwargs):
        with policy_zone():
            response = view(self, request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()  # now, not after the view has left the zone
            return response

    return wrapped


# --- what a field is shown as -------------------------------------------------------------


def _model_field(model, name):
    if not isinstance(name, str) or "__" in name:
        return None
    opts = model._meta
    try:
        return opts.get_field(name)
    except FieldDoesNotExist:
        pass
    for field in opts.concrete_fields:  # `user_id`: the key's column
        if field.attname == name:
            return field
    return None


def _person_title(field):
    """The model's own name of the field (`learner`, `decided by`); `person` for a bare
    `user`, which names the account rather than whom HR sees."""
    if isinstance(field.verbose_name, str) and field.verbose_name == field.name.replace("_", " "):
        return _("person") if field.name == "user" else field.verbose_name
    return field.verbose_name


@functools.cache
def _person_column(model, name: str):
    field = _model_field(model, name)

    def column(obj) -> str:
        return person_label(getattr(obj, field.name))

    column.__name__ = name  # the CSS class of the column stays `field-<name>`
    column.short_description = _person_title(field)
    column.admin_order_field = f"{field.name}__elearn_person__name"
    return column


@functools.cache
def _time_column(model, name: str):
    field = _model_field(model, name)

    def column(obj) -> str:
        return local_time(getattr(obj, field.name))

    column.__name__ = name
    column.short_description = field.verbose_name
    column.admin_order_field = field.name
    return column


def shown_as(model, name, accounts=()):
    """What a list column or read-only field `name` of `model` is displayed with: a user as
    the person (unless `name` is one of the `accounts`), a date-time in the policy's zone;
    anything else unchanged."""
    field = _model_field(model, name)
    if field is None:
        return name
    if is_user_field(field) and field.name not in accounts:
        return _person_column(model, name)
    if isinstance(field, models.DateTimeField):
        return _time_column(model, name)
    return name


def _shown_fieldsets(fieldsets, mapped: dict):
    def one(item):
        if isinstance(item, (list, tuple)):
            return tuple(mapped.get(i, i) if isinstance(i, str) else i for i in item)
        return mapped.get(item, item) if isinstance(item, str) else item

    return [
        (title, {**options, "fields": [one(i) for i in options.get("fields", ())]})
        for title, options in fieldsets
    ]


def _show_readonly(holder, model, accounts=()) -> None:
    """Read-only fields of a change page (`AdminForm`) or an inline (`InlineAdminFormSet`)
    shown as people and local times. The form is built already: only the display changes."""
    every = list(holder.readonly_fields)
    if getattr(holder, "has_change_permission", True) is False:  # a view-only inline
        every += list(flatten_fieldsets(holder.fieldsets))
    mapped = {}
    for name in every:
        shown = shown_as(model, name, accounts)
        if shown is not name:
            mapped[name] = shown
    if not mapped:
        return
    kind = type(holder.readonly_fields)
    holder.readonly_fields = kind(mapped.get(n, n) for n in holder.readonly_fields)
    holder.fieldsets = _shown_fieldsets(holder.fieldsets, mapped)


class PluginAdmin(admin.ModelAdmin):
    """The base of every admin page of the plugin (see the module's docstring)."""

    # Users shown as the account itself (the username), not as the person.
    account_fields: tuple[str, ...] = ()

    def _user_keys(self) -> set[str]:
        return {
            f.name
            for f in self.model._meta.concrete_fields
            if is_user_field(f) and f.name not in self.account_fields
        }

    def _people_paths(self, names=None) -> list[str]:
        """`<user key>__elearn_person` of the user keys among `names` (every one if None)."""
        found = []
        for field in self.model._meta.concrete_fields:
            if not is_user_field(field) or field.name in self.account_fields:
                continue
            if names is None or field.name in names or field.attname in names:
                found.append(f"{field.name}__elearn_person")
        return found

    def get_queryset(self, request):
        # The list's joins here, not left to the changelist: it skips `list_select_related`
        # once a queryset joins anything. The people of the change page come along too.
        queryset = super().get_queryset(request)
        paths = dict.fromkeys((*self.get_list_select_related(request), *self._people_paths()))
        return queryset.select_related(*paths) if paths else queryset

    def get_list_display(self, request):
        return tuple(
            shown_as(self.model, name, self.account_fields)
            for name in super().get_list_display(request)
        )

    def get_list_select_related(self, request):
        chosen = super().get_list_select_related(request)
        names = [n for n in super().get_list_display(request) if isinstance(n, str)]
        if chosen is True or chosen is False:
            # What Django would join for the list's foreign keys, named, so the people below
            # are joined too (a bare `select_related()` would drop them).
            fields = ((n, _model_field(self.model, n)) for n in names)
            chosen = [  # `unit`, not `unit_id`: only the id of that one is shown
                n for n, f in fields if f is not None and f.many_to_one and f.name == n
            ]
            chosen = [n for n in chosen if n not in self._user_keys()]
        return (*chosen, *self._people_paths(names))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if (
            "widget" not in kwargs
            and is_user_field(db_field)
            and db_field.name in self.get_autocomplete_fields(request)
        ):
            using = kwargs.get("using")
            kwargs["widget"] = PeopleAutocompleteSelect(db_field, self.admin_site, using=using)
            kwargs.setdefault("form_class", PersonChoiceField)
            kwargs.setdefault(
                "queryset",
                get_user_model()._default_manager.using(using).select_related("elearn_person"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if context.get("adminform") is not None:
            _show_readonly(context["adminform"], self.model, self.account_fields)
        for inline in context.get("inline_admin_formsets") or ():
            _show_readonly(inline, inline.opts.model)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- pages and forms in the policy's time zone ---------------------------------------

    @in_policy_zone
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    @in_policy_zone
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @in_policy_zone
    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(request, object_id, extra_context)

    @in_policy_zone
    def delete_view(self, request, object_id, extra_context=None):
        return super().delete_view(request, object_id, extra_context)


class ReadOnlyAdmin(PluginAdmin):
    """Lists and shows rows; add, change and delete are refused for everyone."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordsAdmin(ReadOnlyAdmin):
    """Read-only records that only HR reads (`Action.VIEW_ALL_RECORDS`, P-31)."""

    def has_module_permission(self, request) -> bool:
        return check(request.user, Action.VIEW_ALL_RECORDS, ANY)

    def has_view_permission(self, request, obj=None) -> bool:
        return check(request.user, Action.VIEW_ALL_RECORDS, ANY)


class HRAdmin(PluginAdmin):
    """Pages of the organisation HR keeps (units, roles, people, contacts): HR by role
    (`Action.MANAGE_LIFECYCLE`, P-31), not by the platform's per-model permissions, which an
    HR officer's account does not carry. Adding and deleting stay each page's own rule."""

    def _hr(self, request) -> bool:
        return check(request.user, Action.MANAGE_LIFECYCLE, ANY)

    def has_module_permission(self, request) -> bool:
        return self._hr(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._hr(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._hr(request) or super().has_change_permission(request, obj)


def evidence_block(value: dict | None) -> str:
    """A row's evidence: the sentence the learner reads, then the facts as indented JSON."""
    from elearn_plugin.gate import evidence_text  # noqa: PLC0415

    # A template, so everything shown is escaped (no HTML is built in code).
    return render_to_string(
        "elearn_plugin/fragments/evidence.html",
        {
            "sentence": evidence_text(value),
            "facts": json.dumps(value or {}, ensure_ascii=False, indent=2),
        },
    )
