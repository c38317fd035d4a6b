"""The only writers of training-needs surveys (P-29, P-9): HR defines a survey, targets it,
opens and closes it; targeted learners answer once.

A learner is targeted when they are an active person in one of the survey's units (with the
units below) and, when the survey names job roles, hold one of them; units alone, or roles
alone, target all of their people. Answering again while the survey is open replaces the
earlier answer (a learner who changed their mind should not have to ask HR); a closed survey
takes no answers. Questions change only while the survey is a draft, so every answer counted
was given to the questions shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.feedback.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from elearn_plugin.feedback.services import FeedbackError
from elearn_plugin.org.models import Person
from elearn_plugin.org.queries import subtree_unit_ids
from elearn_plugin.rules.feedback import SCALE, QuestionSpec

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_ANSWER_TEXT = 2000


def save_survey(
    survey_id: int | None,
    *,
    title: str,
    description: str,
    questions: Sequence[QuestionSpec],
    unit_ids: Sequence[int],
    job_role_ids: Sequence[int],
    actor,
) -> Survey:
    """Create a draft survey, or change a draft (questions and targets replaced)."""
    title = title.strip() if isinstance(title, str) else ""
    description = description.strip() if isinstance(description, str) else ""
    if not title or len(title) > MAX_TITLE:
        raise FeedbackError(_("Give the survey a title (at most 200 characters)."))
    if len(description) > MAX_DESCRIPTION:
        raise FeedbackError(_("Keep the introduction under 2000 characters."))
    if not questions:
        raise FeedbackError(_("Write at least one question."))
    with transaction.atomic():
        created = survey_id is None
        if created:
            survey = Survey.objects.create(title=title, description=description)
        else:
            survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
            if survey is None:
                raise FeedbackError(_("No such survey."), status=404)
            if survey.status != SurveyStatus.DRAFT:
                raise FeedbackError(_("An opened survey cannot be changed; make a new one."))
            survey.title, survey.description = title, description
            survey.save(update_fields=["title", "description"])
            survey.questions.all().delete()
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                survey=survey, position=n, kind=q.kind, text=q.text, choices=list(q.choices)
            )
            for n, q in enumerate(questions, start=1)
        )
        survey.units.set(unit_ids)
        survey.job_roles.set(job_role_ids)
        audit.record(
            actor,
            "survey.saved",
            survey,
            {"question_count": len(questions), "created": created},
        )
    return survey


def _set_status(survey_id: int, status: str, *, actor, now: datetime | None) -> Survey:
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
        if survey is None:
            raise FeedbackError(_("No such survey."), status=404)
        if status == SurveyStatus.OPEN:
            if survey.status != SurveyStatus.DRAFT:
                raise FeedbackError(_("Only a draft survey can be opened."))
            if not (survey.units.exists() or survey.job_roles.exists()):
                raise FeedbackError(_("Choose the units or job roles the survey is for."))
            survey.opened_at = now
        else:
            if survey.status != SurveyStatus.OPEN:
                raise FeedbackError(_("Only an open survey can be closed."))
            survey.closed_at = now
        survey.status = status
        survey.save(update_fields=["status", "opened_at", "closed_at"])
        verb = "survey.opened" if status == SurveyStatus.OPEN else "survey.closed"
        audit.record(actor, verb, survey, {"survey_id": survey.pk})
    return survey


def open_survey(survey_id: int, *, actor, now: datetime | None = None) -> Survey:
    """Open a draft to its targets; its questions are fixed from now on."""
    return _set_status(survey_id, SurveyStatus.OPEN, actor=actor, now=now)


def close_survey(survey_id: int, *, actor, now: datetime | None = None) -> Survey:
    """Close an open survey: no more answers; the results stay."""
    return _set_status(survey_id, SurveyStatus.CLOSED, actor=actor, now=now)


def targeted_people(survey: Survey) -> QuerySet[Person]:
    """The active people the survey is for (one query when evaluated)."""
    people = Person.objects.filter(status=Person.ACTIVE)
    unit_ids = list(survey.units.values_list("pk", flat=True))
    role_ids = list(survey.job_roles.values_list("pk", flat=True))
    if not unit_ids and not role_ids:
        return people.none()
    if unit_ids:
        people = people.filter(unit_id__in=subtree_unit_ids(unit_ids))
    if role_ids:
        people = people.filter(job_role_id__in=role_ids)
    return people


def is_targeted(user, survey: Survey) -> bool:
    return targeted_people(survey).filter(user_id=user.pk).exists()


def open_surveys_for(user) -> list[tuple[Survey, bool]]:
    """The open surveys `user` is targeted by, each with whether they answered it already."""
    surveys = list(Survey.objects.filter(status=SurveyStatus.OPEN).order_by("-opened_at")[:20])
    mine = [s for s in surveys if is_targeted(user, s)]
    answered = set(
        SurveyResponse.objects.filter(user_id=user.pk, survey__in=mine).values_list(
            "survey_id", flat=True
        )
    )
    return [(s, s.pk in answered) for s in mine]


def _check_value(question: SurveyQuestion, value) -> tuple[list[int], int | None, str]:
    """(choices, scale, text) of one answer; `FeedbackError` for a value out of range."""
    bad = FeedbackError(
        _("Question %(n)s: that answer is not one of its choices.") % {"n": question.position}
    )
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        values = value if isinstance(value, (list, tuple)) else [value]
        if question.kind == QuestionKind.SINGLE and len(values) != 1:
            raise bad
        if not all(isinstance(v, int) and 0 <= v < len(question.choices) for v in values):
            raise bad
        return sorted(set(values)), None, ""
    if question.kind == QuestionKind.SCALE:
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCALE:
            raise FeedbackError(
                _("Question %(n)s: choose a value from 1 to 5.") % {"n": question.position}
            )
        return [], value, ""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_ANSWER_TEXT:
        raise FeedbackError(
            _("Question %(n)s: keep the answer under %(count)s characters.")
            % {"n": question.position, "count": MAX_ANSWER_TEXT}
        )
    return [], None, text


def submit_response(
    user, survey_id: int, answers: Mapping[int, object], *, now: datetime | None = None
) -> SurveyResponse:
    """Record (or replace) the learner's answers: `answers` maps question ids to a choice
    number, a list of them, a scale value or a text. Choice and scale questions must be
    answered; free text may be left empty. Nothing is written on any error."""
    now = now or timezone.now()
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or not is_targeted(user, survey):
        raise FeedbackError(_("No such survey."), status=404)
    if survey.status != SurveyStatus.OPEN:
        raise FeedbackError(_("This survey is closed: it takes no more answers."))
    questions = {q.pk: q for q in survey.questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise FeedbackError(_("The answers name a question this survey does not have."))
    rows, texts = [], {}
    for qid, question in sorted(questions.items(), key=lambda kv: kv[1].position):
        if question.kind != QuestionKind.TEXT and answers.get(qid) in (None, [], ""):
            raise FeedbackError(_("Question %(n)s needs an answer.") % {"n": question.position})
        choices, scale, text = _check_value(question, answers.get(qid, ""))
        rows += [(question, c, None) for c in choices]
        if scale is not None:
            rows.append((question, None, scale))
        if text:
            texts[str(qid)] = text
    person = Person.objects.filter(user_id=user.pk).values_list("unit_id", flat=True).first()
    with transaction.atomic():
        response, created = _upsert(survey, user, person, texts, now)
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=q, choice=c, scale=s) for q, c, s in rows
        )
        audit.record(
            user, "survey.answered", response, {"survey_id": survey.pk, "created": created}
        )
    return response


def _upsert(survey, user, unit_id, texts, now) -> tuple[SurveyResponse, bool]:
    response = (
        SurveyResponse.objects.select_for_update().filter(survey=survey, user_id=user.pk).first()
    )
    if response is None:
        try:
            with transaction.atomic():
                return SurveyResponse.objects.create(
                    survey=survey, user_id=user.pk, unit_id=unit_id, texts=texts, submitted_at=now
                ), True
        except IntegrityError:  # the same learner's other request got there first
            response = SurveyResponse.objects.select_for_update().get(
                survey=survey, user_id=user.pk
            )
    response.answers.all().delete()
    response.unit_id, response.texts, response.submitted_at = unit_id, texts, now
    response.save(update_fields=["unit", "texts", "submitted_at"])
    return response, False
