"""The admin base for evidence and history: rows are written by the services only.

Nobody adds, edits or deletes these rows by hand, so a re-run job and the audit trail always
agree with the table (P-11, P-33); staff still list and open them.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; add, change and delete are refused for everyone."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
