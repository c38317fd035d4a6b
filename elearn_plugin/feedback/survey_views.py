"""A survey for the learners it targets (`/elearn/surveys/<id>/`), and its results and
downloads for HR (`/elearn/surveys/<id>/results/`, `…/export/<table>.<fmt>`) (P-29, P-31,
P-32).

A learner outside the survey's targets gets 404, as if the survey did not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from elearn_plugin.feedback import results
from elearn_plugin.feedback.forms import answers_from_post
from elearn_plugin.feedback.models import Survey, SurveyAnswer, SurveyResponse, SurveyStatus
from elearn_plugin.feedback.services import FeedbackError
from elearn_plugin.feedback.surveys import is_targeted, submit_response
from elearn_plugin.permissions import Action, elearn_required
from elearn_plugin.staff.exports import FORMATS, table_response

ANSWER = "elearn_plugin/feedback/survey.html"
RESULTS = "elearn_plugin/feedback/results.html"


def _own(request, *args, **kwargs):
    return request.user.pk


def _given(survey: Survey, user) -> dict:
    """The learner's earlier answers, to fill the form in again (keys as the form's names)."""
    response = SurveyResponse.objects.filter(survey=survey, user_id=user.pk).first()
    if response is None:
        return {}
    given: dict[str, list[str]] = {}
    for qid, choice, scale in SurveyAnswer.objects.filter(response=response).values_list(
        "question_id", "choice", "scale"
    ):
        given.setdefault(f"q{qid}", []).append(str(choice if scale is None else scale))
    for qid, text in (response.texts or {}).items():
        given[f"q{qid}"] = [text]
    return given


def _questions(survey: Survey, given) -> list[dict]:
    rows = []
    for q in survey.questions.all():
        options = (
            [(str(n), label) for n, label in enumerate(q.choices)]
            if q.choices
            else [(str(v), str(v)) for v in range(1, 6)]
        )
        rows.append(
            {"q": q, "name": f"q{q.pk}", "options": options, "given": given.get(f"q{q.pk}", [])}
        )
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.GIVE_FEEDBACK, _own)
def answer_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey's questions; answering again while it is open replaces the answer."""
    survey = Survey.objects.filter(pk=survey_id).exclude(status=SurveyStatus.DRAFT).first()
    if survey is None or not is_targeted(request.user, survey):
        raise Http404
    context = {"survey": survey, "error": "", "saved": False}
    status = 200
    given = _given(survey, request.user)
    if request.method == "POST":
        questions = list(survey.questions.all())
        try:
            answers = answers_from_post(questions, request.POST)
            submit_response(request.user, survey.pk, answers)
            context["saved"] = True
            given = _given(survey, request.user)
        except FeedbackError as exc:
            context["error"], status = exc.message, exc.status
            given = {k: request.POST.getlist(k) for k in request.POST if k.startswith("q")}
    context["answered"] = bool(given) and not context["error"]
    context["questions"] = _questions(survey, given)
    return render(request, ANSWER, context, status=status)


def _survey(survey_id: int) -> Survey:
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    return survey


@never_cache
@require_GET
@elearn_required(Action.MANAGE_FEEDBACK)
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey's results, aggregated; names never shown."""
    survey = _survey(survey_id)
    data = results.survey_results(survey)
    exports = {
        table: {
            fmt: reverse("elearn:survey-export", args=[survey.pk, table, fmt]) for fmt in FORMATS
        }
        for table in ("summary", "answers")
    }
    return render(request, RESULTS, {"survey": survey, "data": data, "exports": exports})


@never_cache
@require_GET
@elearn_required(Action.MANAGE_FEEDBACK)
def survey_export(request: HttpRequest, survey_id: int, table: str, fmt: str) -> HttpResponse:
    """The summary (counts and averages) or every answer with its unit, as CSV or XLSX."""
    survey = _survey(survey_id)
    if fmt not in FORMATS:
        return HttpResponseBadRequest(
            _("Unknown download format: choose csv or xlsx."),
            content_type="text/plain; charset=utf-8",
        )
    if table == "summary":
        columns = results.SUMMARY_COLUMNS
        labels = [_("Question no."), _("Question"), _("Kind"), _("Answer"), _("Count"),
                  _("Share of respondents (%) / average")]  # fmt: skip
        rows = results.summary_rows(survey)
    elif table == "answers":
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        columns = results.ANSWER_COLUMNS
        labels = [_("Respondent"), _("Unit code"), _("Unit"), _("Answered on"),
                  _("Question no."), _("Question"), _("Answer")]  # fmt: skip
        rows = results.answer_rows(survey, get_policy().tz)
    else:
        raise Http404(_("The survey has no such table."))
    return table_response(fmt, f"survey-{survey.pk}-{table}", columns, labels, rows, sheet=table)
