"""Models of the rankings: one frozen ranking per period and its ranked learners (P-25).

Only `elearn_plugin.rankings.services` writes these rows, when the period's last month
closes; nothing changes them afterwards (a later correction is reported, not applied).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Half-year")
    YEAR = "year", _("Year")


class TieRule(models.TextChoices):
    SHARE = "share", _("Equal credits share a rank")
    EARLIEST = "earliest", _("The earliest total ranks first")


class Ranking(models.Model):
    """The published ranking of a month, quarter, half-year or year, as frozen.

    .. no_pii: Period labels, the policy's numbers and counts.
    """

    period = models.CharField(_("period"), max_length=7, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PeriodKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    top_n = models.PositiveSmallIntegerField(_("top"))
    ties = models.CharField(_("ties"), max_length=16, choices=TieRule.choices)
    # Learners read from the top of the credit totals until the cut was decided.
    checked = models.PositiveIntegerField(_("learners checked"), default=0)
    policy_hash = models.CharField(_("policy content hash"), max_length=64)
    frozen_at = models.DateTimeField(_("frozen at"))

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["-ends_at", "period"]

    def __str__(self) -> str:
        return self.period


class RankingEntry(models.Model):
    """One ranked learner: rank, credits in the period and unit when it ended, as frozen.

    .. pii: The learner's user id and unit.
    .. pii_types: id
    .. pii_retirement: retained
    """

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    credits = models.DecimalField(_("credits"), max_digits=14, decimal_places=2)
    unit = models.ForeignKey(
        "elearn_plugin.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit at the period's end"),
    )

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["ranking_id", "rank", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "user"], name="elearn_ranking_entry_user"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank}"
