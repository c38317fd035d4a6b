"""Incidents of account sharing (P-4): the evidence grouped, and what was done about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    SUSPENDED = "suspended", _("Suspended automatically")
    FLAGGED = "flagged", _("Waiting for HR")
    CONFIRMED = "confirmed", _("Confirmed by HR: suspended")
    DISMISSED = "dismissed", _("Dismissed by HR")


class SharingIncident(models.Model):
    """One account's evidence of shared use within the policy's window: at most one
    suspension each. The evidence stays on its `SharingSuspicion` rows (`suspicion_ids`) and
    its `SessionOverlap` rows (`sign_in_ids`).

    .. pii: The learner's user id and the ids of the evidence rows.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("first evidence at"))
    ends_at = models.DateTimeField(_("last evidence at"))
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices)
    suspicion_ids = models.JSONField(_("evidence"), default=list)
    sign_in_ids = models.JSONField(_("sign-in evidence"), default=list)
    sanction = models.ForeignKey(
        "elearn_plugin.Sanction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("account sharing incident")
        verbose_name_plural = _("account sharing incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "starts_at"], name="elearn_sharing_incident_key"
            )
        ]

    def __str__(self) -> str:
        return f"sharing incident {self.pk}"


class SessionOverlap(models.Model):
    """Two signed-in browser sessions of one account, at two addresses, taking turns within
    minutes of each other (P-4): `sharing.places` records it; the judge decides.

    `key` names the pair of sessions (keyed hashes of the session keys), so the same two
    sessions taking turns all afternoon are one row.

    .. pii: The learner's user id and the evidence: the two addresses and when they were seen.
    .. pii_types: id, ip
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80, unique=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    evidence = models.JSONField(_("evidence"), default=dict)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("concurrent sign-in")
        verbose_name_plural = _("concurrent sign-ins")
        indexes = [models.Index(fields=["handled_at", "user"], name="elearn_sessionoverlap_open")]

    def __str__(self) -> str:
        return f"concurrent sign-in {self.pk}"
