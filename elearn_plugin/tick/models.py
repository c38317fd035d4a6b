"""Models of the tick domain: the state of each periodic job and the lease locks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.Model):
    """The last run of one job, for the health report; written by `tick.services` only.

    .. no_pii: Job names, times and counts.
    """

    name = models.CharField(max_length=64, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True, default="")
    last_summary = models.JSONField(default=dict, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("periodic job state")
        verbose_name_plural = _("periodic job states")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobLock(models.Model):
    """A lease lock: held by `holder` until `expires_at`, so a killed process frees it.

    .. no_pii: Lock names and lease times.
    """

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("periodic job lock")
        verbose_name_plural = _("periodic job locks")

    def __str__(self) -> str:
        return self.name
