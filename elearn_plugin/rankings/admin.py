"""Admin for the rankings and the hours cap: HR reads the frozen rankings with their
entries, and each unit's recorded hours per closed month. Nothing here is edited by hand:
both are written once, when their month closes (P-24, P-25)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from elearn_plugin.admin_base import RecordsAdmin
from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rules.hours_cap import hours


class RankingEntryInline(admin.TabularInline):
    model = RankingEntry
    fields = ("rank", "user", "credits", "unit")
    readonly_fields = fields
    can_delete = False
    extra = 0
    ordering = ("rank", "user_id")

    def get_queryset(self, request):
        # The entries' people with the entries (shown as "Name (employee id)").
        return super().get_queryset(request).select_related("user__elearn_person", "unit")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return check(request.user, Action.VIEW_ALL_RECORDS, ANY)


@admin.register(Ranking)
class RankingAdmin(RecordsAdmin):
    list_display = ("period", "kind", "top_n", "ties", "checked", "frozen_at")
    list_filter = ("kind",)
    search_fields = ("period",)
    inlines = (RankingEntryInline,)


def _hours_column(field: str, title):
    """A list column showing a seconds field as hours with two decimals, as reports do."""

    def column(self, obj) -> str:
        return str(hours(getattr(obj, field)))

    column.short_description = title
    column.admin_order_field = field
    return column


@admin.register(UnitMonthHours)
class UnitMonthHoursAdmin(RecordsAdmin):
    online_hours = _hours_column("online_seconds", _("online hours"))
    offline_hours = _hours_column("offline_seconds", _("offline hours"))
    counted_hours = _hours_column("counted_seconds", _("counted online hours"))
    excess_hours = _hours_column("excess_seconds", _("hours above the cap"))
    list_display = (
        "period",
        "unit",
        "online_hours",
        "offline_hours",
        "counted_hours",
        "excess_hours",
        "share",
        "cap_share",
    )
    list_filter = ("period",)
    search_fields = ("unit__code", "unit__name")
