"""Models of the roster sync: one row per sync that was held, applied or failed.

Only `elearn_plugin.roster.services` writes these rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncStatus(models.TextChoices):
    HELD = "held", _("Held for HR")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class RosterSync(models.Model):
    """A sync of the people with HR's roster and what it did (or, held, would have done).

    `digest` is the SHA-256 of the roster's content, so that the same roster held again is
    recognised, and an applied one can be matched with HR's export. `reason` is the guard's
    code for a held sync, or the error's class for a failed one (never personal data).

    .. no_pii: Counts, codes and a digest; no person is named.
    """

    status = models.CharField(_("status"), max_length=16, choices=SyncStatus.choices)
    source = models.CharField(_("source"), max_length=32)
    digest = models.CharField(_("roster content hash"), max_length=64)
    reason = models.CharField(_("reason"), max_length=64, blank=True, default="")
    roster_count = models.PositiveIntegerField(_("people in the roster"), default=0)
    hire_count = models.PositiveIntegerField(_("hires"), default=0)
    transfer_count = models.PositiveIntegerField(_("transfers"), default=0)
    departure_count = models.PositiveIntegerField(_("departures"), default=0)
    role_change_count = models.PositiveIntegerField(_("role changes"), default=0)
    return_count = models.PositiveIntegerField(_("returns"), default=0)
    missing_count = models.PositiveIntegerField(_("missing from the roster"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("roster sync")
        verbose_name_plural = _("roster syncs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"
