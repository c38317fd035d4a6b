"""Admin of the tick: job states and locks, read-only."""

from django.contrib import admin

from elearn_plugin.tick.models import JobLock, JobState


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JobState)
class JobStateAdmin(_ReadOnly):
    list_display = ("name", "last_started_at", "last_finished_at", "last_ok", "last_error", "runs")


@admin.register(JobLock)
class JobLockAdmin(_ReadOnly):
    list_display = ("name", "holder", "expires_at")
