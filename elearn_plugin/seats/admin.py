"""HR's page of seat pools (P-2): counts set through `set_seats`, so every change is audited.

Used and free seats are counted once for the whole changelist (`seats.queries.usage`, a
fixed number of queries), not per row.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from elearn_plugin.admin_base import PluginAdmin
from elearn_plugin.permissions import ANY, Action, UnitTarget, check
from elearn_plugin.seats import services
from elearn_plugin.seats.models import SeatPool
from elearn_plugin.seats.queries import PoolUsage, usage


class SeatPoolForm(forms.ModelForm):
    """Runs every check of `set_seats` (without writing) so a refusal shows on the form."""

    actor = None  # the signed-in user, set by `SeatPoolAdmin.get_form`

    class Meta:
        model = SeatPool
        fields = ("unit", "seats")

    def clean(self):
        data = super().clean()
        unit = data.get("unit") or (self.instance.unit if self.instance.pk else None)
        if self.errors or unit is None or data.get("seats") is None:
            return data
        try:
            services.set_seats(unit.pk, data["seats"], actor=self.actor, dry_run=True)
        except (services.SeatsError, PermissionDenied) as exc:
            raise ValidationError(str(exc)) from None
        return data


@admin.register(SeatPool)
class SeatPoolAdmin(PluginAdmin):
    form = SeatPoolForm
    list_display = ("unit", "seats", "used_seats", "free_seats", "updated_at")
    search_fields = ("unit__code", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    fields = ("unit", "seats", "used_seats", "free_seats", "updated_at")
    readonly_fields = ("used_seats", "free_seats", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        # A pool belongs to its unit: another unit is another pool.
        return (*self.readonly_fields, "unit") if obj else self.readonly_fields

    # --- who: HR only (P-31); leads allocate through `set_seats` elsewhere -----------------

    def _is_hr(self, request) -> bool:
        return check(request.user, Action.VIEW_ALL_RECORDS, ANY)

    def has_module_permission(self, request) -> bool:
        return self._is_hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_hr(request)

    def has_add_permission(self, request) -> bool:
        return self._is_hr(request) and check(request.user, Action.ALLOCATE_SEATS, ANY)

    def has_change_permission(self, request, obj=None) -> bool:
        target = UnitTarget(obj.unit_id) if obj is not None else ANY
        return self._is_hr(request) and check(request.user, Action.ALLOCATE_SEATS, target)

    def has_delete_permission(self, request, obj=None) -> bool:
        # No service removes a pool: a site's limit is lifted by raising it, with an audit.
        return False

    # --- used and free: one count for the whole changelist ---------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        pools = {p.unit_id: p for p in usage().values()}
        for obj in changelist.result_list:  # the page's rows, evaluated once and kept
            obj._seat_usage = pools.get(obj.unit_id)
        return changelist

    def _usage(self, obj: SeatPool) -> PoolUsage | None:
        if not hasattr(obj, "_seat_usage"):  # the change page: one pool
            pools = {p.unit_id: p for p in usage().values()} if obj.pk else {}
            obj._seat_usage = pools.get(obj.unit_id)
        return obj._seat_usage

    @admin.display(description=_("used"))
    def used_seats(self, obj: SeatPool) -> int | str:
        found = self._usage(obj)
        return found.used if found else "-"

    @admin.display(description=_("free"))
    def free_seats(self, obj: SeatPool) -> int | str:
        found = self._usage(obj)
        return found.free if found else "-"

    def save_model(self, request, obj, form, change) -> None:
        try:
            pool = services.set_seats(obj.unit_id, obj.seats, actor=request.user)
        except (services.SeatsError, PermissionDenied) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        obj.pk = pool.pk
