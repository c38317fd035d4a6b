"""The instructor archive (P-27) and the ratings that supervise teaching quality (P-30).

A *teaching session* is what an instructor taught: a classroom session (the learning domain's
`ClassroomSession`, attended by learners) or the run of an online course (taught by its course
team, or by an instructor HR names for it, e.g. the lecturer of a bought course). Rows are
written only by `elearn_plugin.teaching.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom session")
    ONLINE = "online", _("Online course")


class TaughtOrigin(models.TextChoices):
    CLASSROOM = "classroom", _("Named on the classroom session")
    COURSE_TEAM = "course_team", _("Course team in the platform")
    NAMED = "named", _("Named by HR")


class Instructor(models.Model):
    """Someone who teaches, keyed by their name written one way (`rules.teaching.name_key`),
    so "Sun Li" and " sun  li " in two data files are one instructor; `user` links the
    account of an instructor who has one (they may then read their own history).

    .. pii: The instructor's name as HR entered it or as their record spells it, and the
       account's user id. Kept on retirement: the instructor archive (P-27) names who taught.
    .. pii_types: id, name
    .. pii_retirement: retained
    """

    key = models.CharField(_("name key"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elearn_instructor",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeachingSession(models.Model):
    """One session taught: a classroom session, or an online course's run (P-27).

    `key` is `classroom:<session id>` or `course:<course key>`. `duration_seconds` is the
    session's length, or for a course the length of its tracked videos (0 when none).

    .. no_pii: Keys, titles, times and durations.
    """

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    classroom = models.OneToOneField(
        "elearn_plugin.ClassroomSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_session",
    )
    course_key = models.CharField(_("course key"), max_length=255, blank=True, default="")
    title = models.CharField(_("topic"), max_length=255)
    started_at = models.DateTimeField(_("date"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("teaching session")
        verbose_name_plural = _("teaching sessions")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="classroom") & Q(classroom__isnull=False))
                | (Q(kind="online") & Q(classroom__isnull=True) & ~Q(course_key="")),
                name="elearn_teaching_session_kind",
            )
        ]
        indexes = [models.Index(fields=["course_key"], name="elearn_teaching_course")]

    def __str__(self) -> str:
        return self.title


class TaughtBy(models.Model):
    """An instructor of a teaching session; a course run may have several.

    .. no_pii: Ids and an origin code.
    """

    session = models.ForeignKey(TeachingSession, on_delete=models.CASCADE, related_name="taught")
    instructor = models.ForeignKey(Instructor, on_delete=models.PROTECT, related_name="taught")
    origin = models.CharField(_("origin"), max_length=16, choices=TaughtOrigin.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("instructor of a session")
        verbose_name_plural = _("instructors of sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "instructor"], name="elearn_taught_by_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor_id}@{self.session_id}"


class SessionRating(models.Model):
    """A learner's rating of a session they attended or a course they completed (P-30):
    one per learner and session, 1 to 5, a new rating replaces the old one.

    .. pii: The learner's user id and the comment they wrote.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    session = models.ForeignKey(TeachingSession, on_delete=models.PROTECT, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("rating (1 to 5)"))
    comment = models.TextField(_("comment"), blank=True, default="")
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("learner's rating")
        verbose_name_plural = _("learners' ratings")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="elearn_rating_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="elearn_rating_range"
            ),
        ]
        indexes = [models.Index(fields=["rated_at"], name="elearn_rating_at")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.score}"
