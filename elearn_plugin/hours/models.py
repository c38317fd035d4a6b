"""Models of the hours cap: one row per cap-level unit and closed month (P-24, P-27).

Only `elearn_plugin.hours.services` writes these rows, in the transaction that closes the
month; an open month is computed live (`elearn_plugin.hours.queries`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitMonthHours(models.Model):
    """A unit's training seconds in one closed month: online, offline (classroom), the online
    seconds that count under the cap and those above it, and the share it came to.

    .. no_pii: Totals per unit; no learner is named.
    """

    close = models.ForeignKey(
        "elearn_plugin.MonthClose", on_delete=models.PROTECT, related_name="unit_hours"
    )
    period = models.CharField(_("month"), max_length=7)
    unit = models.ForeignKey(
        "elearn_plugin.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    online_seconds = models.BigIntegerField(_("online seconds"))
    offline_seconds = models.BigIntegerField(_("offline seconds"))
    counted_seconds = models.BigIntegerField(_("counted online seconds"))
    excess_seconds = models.BigIntegerField(_("online seconds above the cap"))
    cap_share = models.DecimalField(_("cap"), max_digits=5, decimal_places=4)
    share = models.DecimalField(_("online share"), max_digits=5, decimal_places=4)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("unit training hours")
        verbose_name_plural = _("unit training hours")
        ordering = ["period", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="elearn_unit_hours_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period} unit {self.unit_id}"
