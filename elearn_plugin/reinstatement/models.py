"""The one-time links and the applications of reinstatement (P-8, P-23)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReinstatementLink(models.Model):
    """A one-time link emailed to a revoked or frozen learner. Only the token's SHA-256 is
    stored: the token itself exists in the email alone. Retirement spends unused links.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("reinstatement link")
        verbose_name_plural = _("reinstatement links")
        indexes = [models.Index(fields=["user", "created_at"], name="elearn_reinst_link_user")]

    def __str__(self) -> str:
        return f"reinstatement link {self.pk}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for HR")
    APPROVED = "approved", _("Approved: account reopened")
    REJECTED = "rejected", _("Rejected")


class ReinstatementApplication(models.Model):
    """A blocked learner's application, and HR's decision on it. `pending_user` holds the
    user id while the application waits, so a learner has at most one waiting application
    (a unique column: NULLs do not collide, on MySQL as elsewhere).

    .. pii: The learner's user id and the statement they wrote.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pending_user = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)
    blocked_kind = models.CharField(
        _("closed by"),
        max_length=16,
        choices=[("revocation", _("revocation")), ("freeze", _("freeze"))],
    )
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default="pending"
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("reinstatement application")
        verbose_name_plural = _("reinstatement applications")
        indexes = [models.Index(fields=["status", "created_at"], name="elearn_reinst_app_queue")]

    def __str__(self) -> str:
        return f"reinstatement application {self.pk}"
