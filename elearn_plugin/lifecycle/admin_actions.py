"""HR's Transfer and Depart actions on the people admin (P-6, P-7, P-31).

Each asks on an intermediate page for what the change needs (the unit, picked by code or
name with the admin's autocomplete; the effective day), then calls the lifecycle writer
with the officer as actor. A refused change shows its message and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.lifecycle import services as lifecycle
from elearn_plugin.org.models import Person, Unit
from elearn_plugin.permissions import ANY, Action, check

TEMPLATE = "elearn_plugin/admin/lifecycle_action.html"
LISTED = 30


def _today() -> date:
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return timezone.now().astimezone(get_policy().tz).date()


def _start_of(day: date) -> datetime:
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return datetime.combine(day, time.min, tzinfo=get_policy().tz)


def _end_of(day: date) -> datetime:
    """A departure takes effect at the end of the last working day (00:00 of the next)."""
    from datetime import timedelta  # noqa: PLC0415

    return _start_of(day + timedelta(days=1))


class DayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Effective day"), widget=forms.DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = _today()


class TransferForm(DayForm):
    field_order = ["unit", "day"]

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = forms.ModelChoiceField(
            queryset=Unit.objects.order_by("code"),
            label=gettext_lazy("New unit"),
            widget=AutocompleteSelect(Person._meta.get_field("unit"), admin_site or admin.site),
        )
        self.order_fields(self.field_order)


def _allowed(request) -> bool:
    return check(request.user, Action.MANAGE_LIFECYCLE, ANY)


def _page(modeladmin, request, queryset, form, *, action, title, explanation, submit):
    people = list(queryset.select_related("unit")[:LISTED])
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "explanation": explanation,
        "people": people,
        "more": max(queryset.count() - len(people), 0),
        "selected": list(queryset.values_list("pk", flat=True)),
        "action": action,
        "form": form,
        "media": modeladmin.media + form.media,
        "submit_label": submit,
    }
    return TemplateResponse(request, TEMPLATE, context)


def _apply(modeladmin, request, write, success) -> None:
    """Run the lifecycle writer; its refusal, or what it did, becomes the page's message."""
    try:
        changed = write()
    except lifecycle.LifecycleError as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, success(changed), messages.SUCCESS)


@admin.action(description=gettext_lazy("Transfer to another unit"))
def transfer(modeladmin, request, queryset):
    if not _allowed(request):
        modeladmin.message_user(request, _("Only HR may transfer people."), messages.ERROR)
        return None
    form = TransferForm(
        request.POST if "apply" in request.POST else None, admin_site=modeladmin.admin_site
    )
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        moves = [(uid, unit.id) for uid in queryset.values_list("user_id", flat=True)]
        when = _start_of(form.cleaned_data["day"])
        return _apply(
            modeladmin,
            request,
            lambda: lifecycle.transfer_bulk(moves, when, actor=request.user),
            lambda moved: (
                _("%(count)s people transferred to %(unit)s; their contacts and HR are told.")
                % {"count": len(moved), "unit": unit.code}
            ),
        )
    return _page(
        modeladmin,
        request,
        queryset,
        form,
        action="transfer",
        title=_("Transfer to another unit"),
        explanation=_(
            "Their open tasks, progress and history move with them; the training contacts of "
            "both units and HR get one hand-over message."
        ),
        submit=_("Transfer"),
    )


@admin.action(description=gettext_lazy("Record departure (freeze the account)"))
def depart(modeladmin, request, queryset):
    if not _allowed(request):
        modeladmin.message_user(request, _("Only HR may record departures."), messages.ERROR)
        return None
    form = DayForm(request.POST if "apply" in request.POST else None)
    form.fields["day"].label = _("Last working day")
    if form.is_bound and form.is_valid():
        ids = list(queryset.values_list("user_id", flat=True))
        when = _end_of(form.cleaned_data["day"])
        return _apply(
            modeladmin,
            request,
            lambda: lifecycle.depart_bulk(ids, when, actor=request.user),
            lambda left: (
                _("%(count)s accounts frozen; their records are kept and their seats are free.")
                % {"count": len(left)}
            ),
        )
    return _page(
        modeladmin,
        request,
        queryset,
        form,
        action="depart",
        title=_("Record departure"),
        explanation=_(
            "Sign-in will be refused, open sessions and tokens ended and the password made "
            "unusable. Every learning record is kept for the archive."
        ),
        submit=_("Freeze accounts"),
    )
