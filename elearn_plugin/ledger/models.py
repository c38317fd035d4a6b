"""Models of the ledger domain: credits (P-20) and contribution points (P-12), append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """A ledger row was about to be changed or removed; corrections are new entries."""


class LedgerKind(models.TextChoices):
    CREDIT = "credit", _("Credit")
    POINTS = "points", _("Contribution points")


class LedgerQuerySet(models.QuerySet):
    """Refuses bulk changes so that the ledger stays an audit trail (P-11, P-33)."""

    def update(self, **kwargs):
        raise AppendOnlyError("ledger entries cannot be updated; add a correcting entry")

    def delete(self):
        raise AppendOnlyError("ledger entries cannot be deleted; add a correcting entry")

    delete.queryset_only = True


class LedgerEntry(models.Model):
    """One credit or points entry, keyed so that a replayed source adds nothing twice.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elearn_ledger_entries"
    )
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source_key = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    course_key = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "source_key"], name="elearn_ledger_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "occurred_at"], name="elearn_ledger_kind_time"),
            # Covers the rankings' GROUP BY of a period's credits (P-25): the table itself is
            # never read, which on MariaDB is the difference between seconds and minutes.
            models.Index(
                fields=["kind", "occurred_at", "user", "amount"], name="elearn_ledger_credit_sums"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.source_key})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ledger entries cannot be updated; add a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries cannot be deleted; add a correcting entry")


class CreditTotal(models.Model):
    """A learner's credits in one month, quarter, half-year or year (P-20, P-25), kept up to
    date by the ledger's writer in the transaction of each entry (ADR 0014).

    A derived figure, not a record: it can be rebuilt from the ledger at any time
    (`ledger.totals.build`). Periods are those of the calendar zone `CreditTotalsBuild` names;
    the rankings read it from the top of `elearn_credit_total_top` instead of grouping the
    ledger. Amounts are whole cents, so that sums are exact on every database.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    period = models.CharField(max_length=7)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cents = models.BigIntegerField()
    last_at = models.DateTimeField()

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("credit total")
        verbose_name_plural = _("credit totals")
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="elearn_credit_total_key")
        ]
        indexes = [
            models.Index(fields=["period", "-cents", "user"], name="elearn_credit_total_top"),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.cents / 100:.2f}"


class CreditTotalsBuild(models.Model):
    """The one row saying in which calendar zone the credit totals are kept (blank: none yet).

    Every ledger writer reads it under a shared lock and a rebuild takes it exclusively, so an
    entry is counted either by the rebuild's read or by its writer's increment, never both.

    .. no_pii:
    """

    zone = models.CharField(max_length=64, blank=True, default="")
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("credit totals build")
        verbose_name_plural = _("credit totals build")

    def __str__(self) -> str:
        return self.zone or "-"
