"""Models of the courses domain: per-course policy, assignments and verified completions.

Rows are written only through `elearn_plugin.courses.services`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn_plugin.courses.keys import COURSE_KEY_MAX_LENGTH, validate_course_key


class CourseKind(models.TextChoices):
    REQUIRED = "required", _("Required")
    ELECTIVE = "elective", _("Elective")


class CourseOrigin(models.TextChoices):
    INTERNAL = "internal", _("Internal (developed by a unit)")
    EXTERNAL = "external", _("External (bought by HR)")


class CompletionSource(models.TextChoices):
    """Where a completion comes from. The host's BlockCompletion is never a source."""

    VERIFIED = "verified", _("Verified by the plugin (videos watched, assessment passed)")
    IMPORT = "import", _("Imported from HR records")


class AssignmentSource(models.TextChoices):
    HR = "hr", _("Assigned by HR")
    JOB_ROLE = "job_role", _("Required by the job role")
    IMPORT = "import", _("Imported from HR records")
    CHOSEN = "chosen", _("Chosen by the learner")


class CoursePolicy(models.Model):
    """What the policy says about one course: credits, required or elective, who made it.

    .. no_pii: Course keys, titles and credits.
    """

    course_key = models.CharField(
        _("course key"),
        max_length=COURSE_KEY_MAX_LENGTH,
        unique=True,
        validators=[validate_course_key],
    )
    title = models.CharField(_("title"), max_length=255)
    credits = models.DecimalField(
        _("credits"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=CourseOrigin.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("course policy")
        verbose_name_plural = _("course policies")
        ordering = ["course_key"]

    def __str__(self) -> str:
        return self.course_key


class Assignment(models.Model):
    """A course a learner must complete by a deadline (P-14, P-15, P-22).

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="elearn_assignments",
        verbose_name=_("learner"),
    )
    course_key = models.CharField(
        _("course key"), max_length=COURSE_KEY_MAX_LENGTH, validators=[validate_course_key]
    )
    due_at = models.DateTimeField(_("due at"))
    source = models.CharField(_("source"), max_length=32, choices=AssignmentSource.choices)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # The rule that assigned it (job-role assignments); kept when the rule is deleted.
    rule = models.ForeignKey(
        "AssignmentRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("rule"),
    )
    # When the learner was enrolled in the host course (confirmed by COURSE_ENROLLMENT_CREATED).
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    # A withdrawn assignment is never a miss (the role changed, HR took it back).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason_code = models.SlugField(
        _("reason for withdrawal"), max_length=64, blank=True, default=""
    )

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_key", "source"], name="elearn_assignment_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["due_at"], name="elearn_assignment_due"),
            models.Index(fields=["user", "course_key"], name="elearn_assignment_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_key}"


class CourseCompletion(models.Model):
    """A course completed by a learner, as this plugin verified or HR imported it (P-17).

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="elearn_completions",
        verbose_name=_("learner"),
    )
    course_key = models.CharField(
        _("course key"), max_length=COURSE_KEY_MAX_LENGTH, validators=[validate_course_key]
    )
    completed_at = models.DateTimeField(_("completed at"))
    source = models.CharField(_("source"), max_length=32, choices=CompletionSource.choices)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_key"], name="elearn_completion_natural_key"
            )
        ]
        indexes = [models.Index(fields=["completed_at"], name="elearn_completion_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_key}"


class AssignmentRule(models.Model):
    """A job role's required course and its due rule (P-14, P-15): from the policy file or HR.

    Exactly one of `due_on` (a date) and `due_days` (days after the assignment) is set; the
    service checks it (a CHECK constraint's `condition=` needs Django 5.1, the floor is 4.2).

    .. no_pii: Job roles, course keys and due rules.
    """

    class Origin(models.TextChoices):
        POLICY = "policy", _("From the policy file")
        HR = "hr", _("Added by HR")

    job_role = models.ForeignKey(
        "elearn_plugin.JobRole",
        on_delete=models.PROTECT,
        related_name="assignment_rules",
        verbose_name=_("job role"),
    )
    course_key = models.CharField(
        _("course key"), max_length=COURSE_KEY_MAX_LENGTH, validators=[validate_course_key]
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_days = models.PositiveIntegerField(_("due days after assignment"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.UniqueConstraint(
                fields=["job_role", "course_key", "origin"], name="elearn_assignment_rule_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_role_id} {self.course_key}"


class CoursePassing(models.Model):
    """Whether the host reports a learner passing a course, and since when (P-17).

    Written from COURSE_PASSING_STATUS_UPDATED and from the catch-up read of persisted
    grades; `passing_since` is None while the learner is not passing. A course completes
    when this and every visible tracked video's completion first hold together.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    class Source(models.TextChoices):
        EVENT = "event", _("Passing-status event")
        CATCH_UP = "catch_up", _("Persisted grades read by the catch-up job")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="elearn_course_passing",
        verbose_name=_("learner"),
    )
    course_key = models.CharField(
        _("course key"), max_length=COURSE_KEY_MAX_LENGTH, validators=[validate_course_key]
    )
    passing_since = models.DateTimeField(_("passing since"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("course passing status")
        verbose_name_plural = _("course passing statuses")
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key"], name="elearn_passing_key")
        ]
        indexes = [models.Index(fields=["course_key", "passing_since"], name="elearn_passing_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_key}"
