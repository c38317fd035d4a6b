"""Models of the learning domain: learning time (P-18, P-20, P-26), permitted slots (P-18) and
classroom sessions (P-27). Rows are written only by `elearn_plugin.learning.services`."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    VIDEO = "video", _("Video")
    CLASSROOM = "classroom", _("Classroom session")
    OTHER = "other", _("Other learning")


class Classification(models.TextChoices):
    WINDOW = "window", _("In a learning window")
    OFF_HOURS = "off_hours", _("Outside working hours")
    UNPERMITTED = "unpermitted", _("Working time without permission")


class ClassroomSession(models.Model):
    """An offline session taught by an instructor (P-27); attendance is learning time.

    .. pii: The instructor's name, as HR entered it.
    .. pii_types: name
    .. pii_retirement: retained
    """

    session_key = models.CharField(_("session key"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=255)
    instructor_name = models.CharField(_("instructor"), max_length=200)
    unit = models.ForeignKey(
        "elearn_plugin.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classroom_sessions",
    )
    course_key = models.CharField(max_length=255, blank=True, default="")
    started_at = models.DateTimeField(_("started at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    rating = models.DecimalField(_("rating"), max_digits=4, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("classroom session")
        verbose_name_plural = _("classroom sessions")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__gt=0), name="elearn_classroom_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class LearningActivity(models.Model):
    """A span of learning by one learner; `unit` is a snapshot of their unit at the time.

    .. pii: The learner's user id and when they studied.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elearn_activities"
    )
    unit = models.ForeignKey(
        "elearn_plugin.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_activities",
    )
    course_key = models.CharField(max_length=255, blank=True, default="")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    source_key = models.CharField(max_length=255, unique=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.PositiveIntegerField()
    classification = models.CharField(max_length=16, choices=Classification.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("learning activity")
        verbose_name_plural = _("learning activities")
        indexes = [
            models.Index(fields=["user", "started_at"], name="elearn_activity_user_time"),
            models.Index(fields=["unit", "started_at"], name="elearn_activity_unit_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seconds__gt=0), name="elearn_activity_seconds"),
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="elearn_activity_interval"
            ),
        ]

    def __str__(self) -> str:
        return self.source_key


class PermittedSlot(models.Model):
    """Working time in which a training contact allowed a learner to study (P-18).

    .. pii: The learner's and the granting contact's user ids; the reason is free text.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="elearn_permitted_slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elearn_granted_slots",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("permitted learning slot")
        verbose_name_plural = _("permitted learning slots")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "starts_at", "ends_at"], name="elearn_slot_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="elearn_slot_interval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"
