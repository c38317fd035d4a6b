"""Review items and referrals of illegal content (P-5, P-10, P-11, P-13)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn_plugin.courses.keys import COURSE_KEY_MAX_LENGTH as KEY_MAX_LENGTH


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewKind(models.TextChoices):
    COURSE = "course", _("course")
    UNIT = "unit", _("unit of content")
    CONTRIBUTION = "contribution", _("learner contribution")


class ReviewItem(models.Model):
    """One submission of content for review, bound to the fingerprint of exactly what was
    submitted: content approved once and edited since has another fingerprint, so it needs
    a new review (P-11). Who submitted, who reviewed and when is kept with the row and in
    the audit trail.

    .. pii: The user ids of the submitter and the reviewer; the reviewer's reason. Kept on
       retirement: who reviewed each version is the record P-11 asks for.
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ReviewKind.choices)
    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH)
    target_key = models.CharField(_("content"), max_length=KEY_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=255, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=80)
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        indexes = [
            models.Index(fields=["target_key", "state"], name="elearn_review_target"),
            models.Index(fields=["state", "submitted_at"], name="elearn_review_queue"),
        ]

    def __str__(self) -> str:
        return self.title or self.target_key


class IllegalContentReferral(models.Model):
    """Content a reviewer marked illegal (P-5): the uploader's account is revoked, and the
    case goes to the audit and supervision centre with the evidence, which is kept.

    .. pii: The uploader's and the reviewer's user ids; the reviewer's description. Kept on
       retirement: the evidence of a referral to the audit centre (P-5).
    .. pii_types: id, other
    .. pii_retirement: retained
    """

    item = models.OneToOneField(ReviewItem, on_delete=models.PROTECT, related_name="referral")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("what is illegal"))
    evidence = models.JSONField(_("evidence"), default=dict)
    sanction = models.ForeignKey(
        "elearn_plugin.Sanction", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("illegal content referral")
        verbose_name_plural = _("illegal content referrals")

    def __str__(self) -> str:
        return f"referral {self.pk}"


class UngatedUnit(models.Model):
    """A published unit of an internal course holding content outside an approval gate
    (P-10, P-11): learners see it unreviewed. Replaced on every publish of the course.

    .. no_pii: Course and unit keys.
    """

    course_key = models.CharField(_("course key"), max_length=KEY_MAX_LENGTH)
    unit_key = models.CharField(_("unit"), max_length=KEY_MAX_LENGTH)
    found_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("unit published without review")
        verbose_name_plural = _("units published without review")
        constraints = [
            models.UniqueConstraint(fields=["course_key", "unit_key"], name="elearn_ungated_unit")
        ]

    def __str__(self) -> str:
        return self.unit_key
