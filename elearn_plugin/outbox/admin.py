"""Admin of the outbox: read-only; rows are written by the outbox services and the sender."""

from django.contrib import admin

from elearn_plugin.admin_base import ReadOnlyAdmin, person_search
from elearn_plugin.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("key", "message_type", "user_id", "attempts", "sent_at", "next_attempt_at")
    list_filter = ("message_type",)
    search_fields = ("key", *person_search("user"))
    readonly_fields = ("last_error",)
