"""Admin pages of the courses domain; every change goes through the services."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from elearn_plugin.admin_base import ReadOnlyAdmin
from elearn_plugin.courses import services
from elearn_plugin.courses.models import Assignment, CourseCompletion, CoursePolicy


@admin.register(CoursePolicy)
class CoursePolicyAdmin(admin.ModelAdmin):
    list_display = ("course_key", "title", "kind", "origin", "credits", "updated_at")
    list_filter = ("kind", "origin")
    search_fields = ("course_key", "title")

    def save_model(self, request, obj, form, change) -> None:
        try:
            row, _created = services.save_course_policy(
                services.CoursePolicySpec(
                    course_key=obj.course_key,
                    title=obj.title,
                    credits=obj.credits,
                    kind=obj.kind,
                    origin=obj.origin,
                )
            )
        except services.CourseDataError as exc:
            raise ValidationError(str(exc))
        obj.pk = row.pk


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "course_key", "due_at", "source", "assigned_at")
    list_filter = ("source", "course_key")
    search_fields = ("course_key",)
    raw_id_fields = ("user",)


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "course_key", "completed_at", "source")
    list_filter = ("source", "course_key")
    search_fields = ("course_key",)
    raw_id_fields = ("user",)
