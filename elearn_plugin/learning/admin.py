"""Admin of the learning domain: read-only lists; writes go through the learning services."""

from django.contrib import admin

from elearn_plugin.learning.models import ClassroomSession, LearningActivity, PermittedSlot


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LearningActivity)
class LearningActivityAdmin(_ReadOnly):
    list_display = ("id", "user_id", "unit_id", "kind", "classification", "seconds", "started_at")
    list_filter = ("kind", "classification")
    search_fields = ("source_key", "course_key")
    date_hierarchy = "started_at"


@admin.register(PermittedSlot)
class PermittedSlotAdmin(_ReadOnly):
    list_display = ("id", "user_id", "starts_at", "ends_at", "granted_by_id", "created_at")
    date_hierarchy = "starts_at"


@admin.register(ClassroomSession)
class ClassroomSessionAdmin(_ReadOnly):
    list_display = ("session_key", "title", "instructor_name", "started_at", "duration_seconds")
    search_fields = ("session_key", "title", "instructor_name")
    date_hierarchy = "started_at"
