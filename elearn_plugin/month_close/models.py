"""Models of the month close: each closed month, its chunk plan, and one standing per learner.

Only `elearn_plugin.month_close.services` and `.chunks` write these rows (ADR 0012).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CloseStatus(models.TextChoices):
    JUDGING = "judging", _("Judging")
    HELD = "held", _("Held for HR")
    APPLYING = "applying", _("Applying")
    CLOSED = "closed", _("Closed")


class MonthClose(models.Model):
    """One month being closed or closed, with the policy that decided it and what it did.

    `decided_at` is the instant every verdict of the month is computed at (a suspension
    starts there), fixed when the close begins so that a re-run decides alike; a close held
    by the guard and confirmed later applies from `confirmed_at`.

    .. pii: The user id of the HR member who confirmed a held close.
    .. pii_types: id
    .. pii_retirement: retained
    """

    period = models.CharField(_("month"), max_length=7, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=CloseStatus.choices)
    policy_hash = models.CharField(_("policy content hash"), max_length=64)
    runner = models.CharField(_("runner"), max_length=16, default="inline")
    decided_at = models.DateTimeField(_("decided at"))
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    learners = models.PositiveIntegerField(_("learners judged"), default=0)
    warnings = models.PositiveIntegerField(_("quota warnings"), default=0)
    suspensions = models.PositiveIntegerField(_("suspensions"), default=0)
    revocations = models.PositiveIntegerField(_("revocations"), default=0)
    sanctioned = models.PositiveIntegerField(_("learners suspended or revoked"), default=0)
    # The policy's numbers the apply step uses, fixed when the close began.
    quota_email = models.BooleanField(_("quota reminder email"), default=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period} ({self.status})"


class CloseChunk(models.Model):
    """One range of learner ids of a close: judged once, then applied once.

    .. no_pii:
    """

    close = models.ForeignKey(MonthClose, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_user_id = models.BigIntegerField()
    last_user_id = models.BigIntegerField()
    learners = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    suspensions = models.PositiveIntegerField(default=0)
    revocations = models.PositiveIntegerField(default=0)
    # Learners suspended or revoked: what the guard weighs.
    sanctioned = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("month close chunk")
        verbose_name_plural = _("month close chunks")
        ordering = ["close_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["close", "index"], name="elearn_close_chunk_index"),
        ]

    def __str__(self) -> str:
        return f"{self.close_id}#{self.index} [{self.first_user_id}..{self.last_user_id}]"


class Standing(models.Model):
    """One learner's closed month: what was counted, what was missed, what followed (P-16,
    P-21..P-23). `evidence` is the verdict's facts (`rules.month_verdicts.Verdict.evidence`)
    that the columns do not hold (`month_close.consequences.standing_evidence`); a sanction
    keeps the whole evidence (`consequences.verdict_evidence`).

    .. pii: The learner's user id and unit; the evidence names courses and due dates.
    .. pii_types: id
    .. pii_retirement: retained
    """

    close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="standings")
    period = models.CharField(_("month"), max_length=7)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="elearn_standings",
        verbose_name=_("learner"),
    )
    unit = models.ForeignKey(
        "elearn_plugin.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit at the month's end"),
    )
    required_completed = models.PositiveSmallIntegerField(_("required courses completed"))
    quota = models.PositiveSmallIntegerField(_("quota"), null=True, blank=True)
    quota_met = models.BooleanField(_("quota met"), null=True, blank=True)
    missed_tasks = models.PositiveSmallIntegerField(_("missed tasks"))
    months_with_misses = models.PositiveSmallIntegerField(_("months with misses"))
    consequences = models.JSONField(_("consequences"), default=list, blank=True)
    exempt = models.CharField(_("exempt"), max_length=32, blank=True, default="")
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    judged_at = models.DateTimeField(_("judged at"))

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("monthly standing")
        verbose_name_plural = _("monthly standings")
        ordering = ["period", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="elearn_standing_user_period"),
        ]
        indexes = [
            models.Index(fields=["period", "user"], name="elearn_standing_period_user"),
        ]

    def __str__(self) -> str:
        return f"{self.period} user {self.user_id}"
