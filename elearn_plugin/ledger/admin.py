"""Admin of the ledger: read-only, because entries are written by the ledger services only."""

from django.contrib import admin

from elearn_plugin.admin_base import ReadOnlyAdmin, person_search
from elearn_plugin.ledger.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "kind", "amount", "source_key", "occurred_at")
    list_filter = ("kind",)
    search_fields = ("source_key", "course_key", *person_search("user"))
    autocomplete_fields = ("user",)
    date_hierarchy = "occurred_at"
