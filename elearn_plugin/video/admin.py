"""Admin pages of the video domain: read-only evidence for HR and course teams."""

from django.contrib import admin

from elearn_plugin.admin_base import ReadOnlyAdmin, person_search
from elearn_plugin.video.models import (
    BuiltinVideoFinding,
    MediaDurationObservation,
    SharingSuspicion,
    TrackedVideo,
    VideoCompletion,
    WatchProgress,
)


@admin.register(TrackedVideo)
class TrackedVideoAdmin(ReadOnlyAdmin):
    list_display = ("block_key", "course_key", "duration", "media_duration", "duration_mismatch")
    list_filter = ("duration_mismatch",)
    search_fields = ("block_key", "course_key")


@admin.register(MediaDurationObservation)
class MediaDurationObservationAdmin(ReadOnlyAdmin):
    list_display = ("block_key", "user_id", "duration", "observed_at")
    search_fields = ("block_key", *person_search("user"))


@admin.register(WatchProgress)
class WatchProgressAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "block_key", "watched_seconds", "frontier", "completed_at")
    search_fields = ("block_key", *person_search("user"))


@admin.register(VideoCompletion)
class VideoCompletionAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "course_key", "block_key", "watched_seconds", "completed_at")
    search_fields = ("course_key", "block_key", *person_search("user"))


@admin.register(SharingSuspicion)
class SharingSuspicionAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "first_session_id", "second_session_id", "detected_at")
    search_fields = person_search("user")


@admin.register(BuiltinVideoFinding)
class BuiltinVideoFindingAdmin(ReadOnlyAdmin):
    list_display = ("course_key", "block_key", "found_at")
    search_fields = ("course_key",)
