"""HR's read-only lists of the instructor archive (P-27, P-30); rows are written by
`teaching.services` only (the tick's sync, the learners' ratings)."""

from __future__ import annotations

from django.contrib import admin

from elearn_plugin.admin_base import RecordsAdmin
from elearn_plugin.teaching import admin_actions
from elearn_plugin.teaching.models import Instructor, SessionRating, TaughtBy, TeachingSession


@admin.register(Instructor)
class InstructorAdmin(RecordsAdmin):
    list_display = ("name", "key", "user", "created_at")
    search_fields = ("name", "key")
    actions = (admin_actions.link_account, admin_actions.name_for_course)


@admin.register(TeachingSession)
class TeachingSessionAdmin(RecordsAdmin):
    list_display = ("title", "kind", "course_key", "started_at", "duration_seconds")
    list_filter = ("kind",)
    search_fields = ("title", "course_key")


@admin.register(TaughtBy)
class TaughtByAdmin(RecordsAdmin):
    list_display = ("session", "instructor", "origin", "created_at")
    list_filter = ("origin",)


@admin.register(SessionRating)
class SessionRatingAdmin(RecordsAdmin):
    list_display = ("session", "user", "score", "rated_at")
    list_filter = ("score",)
