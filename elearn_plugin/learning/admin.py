"""Admin of the learning domain: read-only lists; writes go through the learning services."""

from django.contrib import admin

from elearn_plugin.admin_base import ReadOnlyAdmin, person_search
from elearn_plugin.learning.models import ClassroomSession, LearningActivity, PermittedSlot


@admin.register(LearningActivity)
class LearningActivityAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "unit", "kind", "classification", "seconds", "started_at")
    list_filter = ("kind", "classification")
    search_fields = ("source_key", "course_key", *person_search("user"))
    date_hierarchy = "started_at"


@admin.register(PermittedSlot)
class PermittedSlotAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "starts_at", "ends_at", "granted_by_id", "created_at")
    search_fields = person_search("user")
    date_hierarchy = "starts_at"


@admin.register(ClassroomSession)
class ClassroomSessionAdmin(ReadOnlyAdmin):
    list_display = ("session_key", "title", "instructor_name", "started_at", "duration_seconds")
    search_fields = ("session_key", "title", "instructor_name")
    date_hierarchy = "started_at"
