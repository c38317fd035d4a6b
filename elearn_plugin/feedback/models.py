"""Requests, feedback and complaints, and training-needs surveys (P-29).

Rows are written by `feedback.services` (items) and `feedback.surveys` (surveys) only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    COURSE_REQUEST = "course_request", _("Course request")
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")


class ItemAbout(models.TextChoices):
    PLATFORM = "platform", _("The platform")
    CONTENT = "content", _("A course's content")
    QUESTION = "question", _("A question on the material")


# What a course team answers besides HR: the course's content and questions on its material.
COURSE_TEAM_ABOUT = (ItemAbout.CONTENT, ItemAbout.QUESTION)


class ItemState(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class FeedbackItem(models.Model):
    """A learner's course request, feedback or complaint, and the answer they were given.

    `unit` is the learner's unit when they sent it (HR's view of where it comes from);
    `due_at` is when the organisation promised an answer (`ELEARN_FEEDBACK_ANSWER_DAYS`).

    .. pii: The learner's user id, what they wrote (subject and text) and the answer.
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "elearn_plugin.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    about = models.CharField(_("about"), max_length=16, choices=ItemAbout.choices, blank=True)
    course_key = models.CharField(_("course"), max_length=255, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ItemState.choices, default=ItemState.OPEN
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_learner = models.BooleanField(_("closed by the learner"), default=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("request or feedback")
        verbose_name_plural = _("requests and feedback")
        indexes = [
            models.Index(fields=["state", "due_at"], name="elearn_feedback_queue"),
            models.Index(fields=["user", "created_at"], name="elearn_feedback_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    def is_late(self, now=None) -> bool:
        """Open past its due time: HR sees it as late."""
        return self.state == ItemState.OPEN and self.due_at <= (now or timezone.now())

    @property
    def for_course_team(self) -> bool:
        return bool(self.course_key) and self.about in COURSE_TEAM_ABOUT


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(models.Model):
    """A training-needs survey HR defines, targets and opens (P-9: courses bought from
    training needs). Targets: learners in the `units` (with their subtrees) and, when roles
    are given too, holding one of the `job_roles`.

    .. no_pii: HR's questions and targets.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    units = models.ManyToManyField(
        "elearn_plugin.Unit", blank=True, related_name="+", verbose_name=_("units")
    )
    job_roles = models.ManyToManyField(
        "elearn_plugin.JobRole", blank=True, related_name="+", verbose_name=_("job roles")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("training-needs survey")
        verbose_name_plural = _("training-needs surveys")

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTI = "multi", _("Several choices")
    SCALE = "scale", _("Scale 1 to 5")
    TEXT = "text", _("Free text")


class SurveyQuestion(models.Model):
    """One question of a survey; `choices` is the list of choice labels, in order.

    .. no_pii: HR's questions.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="elearn_question_position")
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One learner's answer to a survey (one per learner: answering again while the survey is
    open replaces it). `unit` is the learner's unit when they answered: results are grouped
    by it and free text is exported with it, never with the name. `texts` holds the free-text
    answers by question id; choices and scale values are `SurveyAnswer` rows, counted by
    grouped queries.

    .. pii: The learner's user id and the free text they wrote (erased on retirement; the
       counted choices stay).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "elearn_plugin.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    texts = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="elearn_survey_once")
        ]

    def __str__(self) -> str:
        return f"survey response {self.pk}"


class SurveyAnswer(models.Model):
    """One counted answer of a response: a choice (one row per choice of a multiple choice)
    or a scale value.

    .. no_pii: Choice numbers and scale values of a response.
    """

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        app_label = "elearn_plugin"
        indexes = [models.Index(fields=["question", "choice"], name="elearn_answer_choice")]

    def __str__(self) -> str:
        return f"survey answer {self.pk}"
