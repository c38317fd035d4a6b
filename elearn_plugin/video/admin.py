"""Admin pages of the video domain: read-only evidence for HR and course teams."""

from django.contrib import admin

from elearn_plugin.video.models import (
    BuiltinVideoFinding,
    SharingSuspicion,
    TrackedVideo,
    VideoCompletion,
    WatchProgress,
)


class _ReadOnly(admin.ModelAdmin):
    """Rows are written by `elearn_plugin.video.services` only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrackedVideo)
class TrackedVideoAdmin(_ReadOnly):
    list_display = ("block_key", "course_key", "duration", "media_duration", "duration_mismatch")
    list_filter = ("duration_mismatch",)
    search_fields = ("block_key", "course_key")


@admin.register(WatchProgress)
class WatchProgressAdmin(_ReadOnly):
    list_display = ("user_id", "block_key", "watched_seconds", "frontier", "completed_at")
    search_fields = ("block_key",)


@admin.register(VideoCompletion)
class VideoCompletionAdmin(_ReadOnly):
    list_display = ("user_id", "course_key", "block_key", "watched_seconds", "completed_at")
    search_fields = ("course_key", "block_key")


@admin.register(SharingSuspicion)
class SharingSuspicionAdmin(_ReadOnly):
    list_display = ("user_id", "first_session_id", "second_session_id", "detected_at")


@admin.register(BuiltinVideoFinding)
class BuiltinVideoFindingAdmin(_ReadOnly):
    list_display = ("course_key", "block_key", "found_at")
    search_fields = ("course_key",)
