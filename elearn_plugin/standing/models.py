"""Models of the standing domain: sanctions (P-4, P-5, P-7, P-8, P-21..P-23).

Only `elearn_plugin.standing.services` writes these rows.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    REVOCATION = "revocation", _("Revocation")
    FREEZE = "freeze", _("Freeze")


class Sanction(models.Model):
    """One consequence imposed on a learner, keyed by (user, kind, source) so it exists once.

    .. pii: The learner's and the staff members' user ids; reasons are free text.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="elearn_sanctions",
        verbose_name=_("learner"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SanctionKind.choices)
    reason_code = models.SlugField(_("reason code"), max_length=64)
    reason = models.TextField(_("reason"), blank=True, default="")
    # The natural key of the decision, e.g. "missed_tasks:2026-03" or "sharing:case-17".
    source = models.CharField(_("source"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True, default="")
    # The facts that decided it (a month close's missed tasks with their due dates, the
    # completions counted): ids, course keys, labels and ISO times only.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "source"], name="elearn_sanction_user_kind_source"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "lifted_at"], name="elearn_sanction_user_lifted"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} (user {self.user_id}, {self.reason_code})"

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None
