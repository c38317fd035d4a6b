"""Admin of the ledger: read-only, because entries are written by the ledger services only."""

from django.contrib import admin

from elearn_plugin.ledger.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "user_id", "kind", "amount", "source_key", "occurred_at")
    list_filter = ("kind",)
    search_fields = ("source_key", "course_key")
    raw_id_fields = ("user",)
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
