"""HR reads who acknowledged which version of the privacy notice, and when (P-32)."""

from django.contrib import admin

from elearn_plugin.admin_base import RecordsAdmin
from elearn_plugin.privacy.models import NoticeAcknowledgement


@admin.register(NoticeAcknowledgement)
class NoticeAcknowledgementAdmin(RecordsAdmin):
    list_display = ("user", "version", "acknowledged_at")
    list_filter = ("version",)
    search_fields = ("user__username",)
    readonly_fields = ("user", "version", "acknowledged_at")
    fields = readonly_fields
    ordering = ("-acknowledged_at",)
    list_select_related = ("user",)
