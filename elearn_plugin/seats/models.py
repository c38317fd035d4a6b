"""The seat pools (P-2): one row per unit that has bought, or been allocated, seats.

Rows are written only by `elearn_plugin.seats.services.set_seats`, which audits each change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from elearn_plugin.org.models import Unit


class SeatPool(models.Model):
    """The number of accounts a unit's subtree may hold active; nested pools are allocations.

    Only the count is stored: used seats are counted from the people (`seats.queries`), so
    they cannot drift from who is really active.

    .. no_pii: Unit ids and seat counts.
    """

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="seat_pool"
    )
    seats = models.PositiveIntegerField(_("seats"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("seat pool")
        verbose_name_plural = _("seat pools")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.seats}"
