"""Learner contributions (P-12)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Contribution(models.Model):
    """A learner's upload of knowledge or a course, reviewed before anyone else sees it.

    The file is stored under a generated name (the learner's file name is kept only as a
    label); it is served by a permission-checked view only, and never deleted by review:
    content marked illegal stays as evidence (P-5).

    .. pii: The learner's user id, the title, description and file they uploaded. Kept on
       retirement: the organisation's knowledge base, and evidence when illegal (P-5, P-12).
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to="elearn/contributions/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("kind of file"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    review = models.OneToOneField(
        "elearn_plugin.ReviewItem", on_delete=models.PROTECT, related_name="contribution"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("learner contribution")
        verbose_name_plural = _("learner contributions")

    def __str__(self) -> str:
        return self.title


class ContributionAward(models.Model):
    """A judging's result for one contribution (P-12: the best ones are rewarded): its
    rating, its rank, and the reward — points through the ledger, or a prize recorded here.

    .. pii: The judge's user id and the prize's description.
    .. pii_types: id
    .. pii_retirement: retained
    """

    round = models.CharField(_("judging"), max_length=32)  # e.g. "2026-Q4"
    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating (1 to 5)"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    points = models.DecimalField(_("reward points"), max_digits=8, decimal_places=2, default=0)
    prize = models.CharField(_("prize"), max_length=200, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("judged at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("contribution award")
        verbose_name_plural = _("contribution awards")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "contribution"], name="elearn_award_once_per_round"
            ),
            models.UniqueConstraint(fields=["round", "rank"], name="elearn_award_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.rank}"
