"""A survey's results for HR (P-29): counts per choice, scale averages, respondents out of
targeted per unit, the free text with the unit only; and the rows of its two downloads.

Every figure is one grouped query over the survey's answers, so the page costs the same for
20 respondents as for 20,000; the answers download reads responses in chunks of
`CHUNK` with one query per chunk for their answers. Names never appear (P-32): a training
need is planned per unit, and learners answer more frankly when HR cannot read who wrote
what (docs/feedback.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from elearn_plugin.feedback.models import QuestionKind, Survey, SurveyAnswer, SurveyResponse
from elearn_plugin.feedback.surveys import targeted_people
from elearn_plugin.org.models import Unit
from elearn_plugin.rules.feedback import SCALE

CHUNK = 500
LISTED_TEXTS = 100


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def survey_results(survey: Survey) -> dict:
    """The template context of the results page (and the summary download)."""
    questions = list(survey.questions.all())
    answers = SurveyAnswer.objects.filter(response__survey=survey)
    respondents = SurveyResponse.objects.filter(survey=survey).count()
    choice_counts = {
        (qid, choice): n
        for qid, choice, n in answers.filter(choice__isnull=False)
        .values_list("question_id", "choice")
        .annotate(n=Count("id"))
    }
    scale_counts = {
        (qid, value): n
        for qid, value, n in answers.filter(scale__isnull=False)
        .values_list("question_id", "scale")
        .annotate(n=Count("id"))
    }
    averages = dict(
        answers.filter(scale__isnull=False)
        .values("question_id")
        .annotate(avg=Avg("scale"))
        .values_list("question_id", "avg")
    )
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    texts = _listed_texts(survey, questions)
    rows = []
    for q in questions:
        row = {
            "position": q.position,
            "text": q.text,
            "kind": q.kind,
            "kind_label": q.get_kind_display(),
            "answered": answered.get(q.pk, 0),
        }
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            row["choices"] = [
                {
                    "label": label,
                    "count": choice_counts.get((q.pk, n), 0),
                    "share": _share(choice_counts.get((q.pk, n), 0), respondents),
                }
                for n, label in enumerate(q.choices)
            ]
        elif q.kind == QuestionKind.SCALE:
            average = averages.get(q.pk)
            row["average"] = None if average is None else round(float(average), 2)
            row["choices"] = [
                {
                    "label": str(value),
                    "count": scale_counts.get((q.pk, value), 0),
                    "share": _share(scale_counts.get((q.pk, value), 0), respondents),
                }
                for value in SCALE
            ]
        else:
            row["answered"] = len(texts.get(q.pk, []))
            row["texts"] = texts.get(q.pk, [])[:LISTED_TEXTS]
        rows.append(row)
    targeted = targeted_people(survey).count()
    return {
        "respondents": respondents,
        "targeted": targeted,
        "share": _share(respondents, targeted),
        "questions": rows,
        "units": unit_rows(survey),
    }


def _listed_texts(survey: Survey, questions) -> dict[int, list[tuple[str, str]]]:
    """Free-text answers per question, newest first, each with its unit's name only."""
    text_ids = {str(q.pk): q.pk for q in questions if q.kind == QuestionKind.TEXT}
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if not text_ids:
        return found
    responses = (
        SurveyResponse.objects.filter(survey=survey)
        .exclude(texts={})
        .order_by("-submitted_at", "-pk")
        .values_list("unit__name", "texts")
    )
    for unit_name, given in responses[: LISTED_TEXTS * 5]:
        for key, text in (given or {}).items():
            if key in text_ids:
                found[text_ids[key]].append((unit_name or "—", text))
    return found


def unit_rows(survey: Survey) -> list[dict]:
    """Respondents out of targeted, per unit (the respondent's unit when they answered)."""
    targeted = dict(
        targeted_people(survey)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    answered = dict(
        SurveyResponse.objects.filter(survey=survey)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    ids = {uid for uid in (*targeted, *answered) if uid is not None}
    units = Unit.objects.filter(pk__in=ids).order_by("path").values_list("pk", "code", "name")
    rows = [
        {
            "unit": code,
            "unit_name": name,
            "targeted": targeted.get(pk, 0),
            "respondents": answered.get(pk, 0),
            "share": _share(answered.get(pk, 0), targeted.get(pk, 0)),
        }
        for pk, code, name in units
    ]
    if answered.get(None):
        rows.append(
            {"unit": "", "unit_name": _("No unit"), "targeted": 0,
             "respondents": answered[None], "share": None}
        )  # fmt: skip
    return rows


SUMMARY_COLUMNS = ("question_no", "question", "kind", "answer", "count", "share")


def summary_rows(survey: Survey) -> Iterator[dict]:
    """One row per choice or scale value, one per question for its average."""
    data = survey_results(survey)
    for q in data["questions"]:
        for choice in q.get("choices", []):
            yield {
                "question_no": q["position"], "question": q["text"], "kind": q["kind_label"],
                "answer": choice["label"], "count": choice["count"], "share": choice["share"],
            }  # fmt: skip
        if q["kind"] == QuestionKind.SCALE:
            yield {
                "question_no": q["position"], "question": q["text"], "kind": q["kind_label"],
                "answer": _("average"), "count": q["answered"], "share": q["average"],
            }  # fmt: skip
        if q["kind"] == QuestionKind.TEXT:
            yield {
                "question_no": q["position"], "question": q["text"], "kind": q["kind_label"],
                "answer": _("written answers"), "count": q["answered"], "share": None,
            }  # fmt: skip


ANSWER_COLUMNS = (
    "respondent", "unit", "unit_name", "submitted_on", "question_no", "question", "answer",
)  # fmt: skip


def answer_rows(survey: Survey, tz) -> Iterator[dict]:
    """Every answer, one row per question of each response, with a running respondent
    number and the unit (never the name or the user id)."""
    questions = {q.pk: q for q in survey.questions.all()}
    ordered = sorted(questions.values(), key=lambda q: q.position)
    responses = SurveyResponse.objects.filter(survey=survey).order_by("pk")
    number, last = 0, 0
    while True:
        chunk = list(
            responses.filter(pk__gt=last).values_list(
                "pk", "unit__code", "unit__name", "submitted_at", "texts"
            )[:CHUNK]
        )
        if not chunk:
            return
        last = chunk[-1][0]
        given: dict[tuple[int, int], list] = defaultdict(list)
        for rid, qid, choice, scale in SurveyAnswer.objects.filter(
            response_id__in=[row[0] for row in chunk]
        ).values_list("response_id", "question_id", "choice", "scale"):
            given[(rid, qid)].append(choice if scale is None else scale)
        for rid, code, name, submitted_at, texts in chunk:
            number += 1
            for q in ordered:
                yield {
                    "respondent": number,
                    "unit": code or "",
                    "unit_name": name or "",
                    "submitted_on": submitted_at.astimezone(tz).date().isoformat(),
                    "question_no": q.position,
                    "question": q.text,
                    "answer": _answer_text(q, given.get((rid, q.pk), []), texts or {}),
                }


def _answer_text(question, values: list, texts: dict) -> str | int:
    if question.kind == QuestionKind.TEXT:
        return texts.get(str(question.pk), "")
    if question.kind == QuestionKind.SCALE:
        return values[0] if values else ""
    labels = [question.choices[v] for v in sorted(values) if 0 <= v < len(question.choices)]
    return "; ".join(labels)
