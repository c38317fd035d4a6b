"""The admin base for evidence and history: rows are written by the services only.

Nobody adds, edits or deletes these rows by hand, so a re-run job and the audit trail always
agree with the table (P-11, P-33); staff still list and open them.
"""

import json

from django.contrib import admin
from django.template.loader import render_to_string

from elearn_plugin.permissions import ANY, Action, check


class ReadOnlyAdmin(admin.ModelAdmin):
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


class HRAdmin(admin.ModelAdmin):
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
