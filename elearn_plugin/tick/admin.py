"""Admin of the tick: job states and locks, read-only."""

from django.contrib import admin

from elearn_plugin.admin_base import ReadOnlyAdmin
from elearn_plugin.tick.models import JobLock, JobState


@admin.register(JobState)
class JobStateAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_started_at", "last_finished_at", "last_ok", "last_error", "runs")


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdmin):
    list_display = ("name", "holder", "expires_at")
