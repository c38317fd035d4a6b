"""Training-needs surveys: targeting, answering once (or again, replacing), HR's aggregated
results and their downloads, bad input, and the role matrices (P-29, P-31, P-32)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.feedback import results, surveys
from elearn_plugin.feedback.models import Survey, SurveyAnswer, SurveyResponse
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.rules.feedback import parse_questions
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401

QUESTIONS = (
    "single: Topic? | Safety | Excel | Leadership\n"
    "multi: When? | Day | Evening | Weekend\n"
    "scale: Useful?\n"
    "text: Anything else?"
)
NOT_FOUND = {"other_learner": 404, "other_contact": 404, "hr": 404, "reviewer": 404,
             "publisher": 404}  # fmt: skip
HR_ONLY = {"anonymous": 302, "learner": 403, "other_learner": 403, "contact": 403,
           "other_contact": 403, "hr": 200, "reviewer": 403, "publisher": 403,
           "blocked": 403}  # fmt: skip


def make_survey(hr, *, unit_ids=(), role_ids=(), open_it=True) -> Survey:
    questions, problems = parse_questions(QUESTIONS)
    assert not problems
    survey = surveys.save_survey(
        None, title="Needs 2026", description="", questions=questions,
        unit_ids=list(unit_ids), job_role_ids=list(role_ids), actor=hr,
    )  # fmt: skip
    if open_it:
        surveys.open_survey(survey.pk, actor=hr)
    return survey


def qids(survey) -> list[int]:
    return [q.pk for q in survey.questions.all()]


def answer(user, survey, single=0, multi=(0,), scale=3, text=""):
    a, b, c, d = qids(survey)
    return surveys.submit_response(user, survey.pk, {a: single, b: list(multi), c: scale, d: text})


def form_of(survey, single="0", multi=("0",), scale="4", text="") -> dict:
    a, b, c, d = qids(survey)
    return {f"q{a}": single, f"q{b}": list(multi), f"q{c}": scale, f"q{d}": text}


@pytest.fixture
def hr(make_user):
    return make_user("hrofficer", is_staff=True, is_superuser=True)


def place(make_user, unit, role=None):
    user = make_user()
    Person.objects.create(
        user=user, employee_id=f"S{user.pk:05d}", name=f"Name {user.pk}", unit=unit, job_role=role
    )
    return user


def test_survey_page_matrix(client, role_users, hr):  # noqa: F811 - P-29, P-31
    survey = make_survey(hr, unit_ids=[role_users.unit_id])
    url = reverse("elearn:survey", args=[survey.pk])
    # Targeted: the learner and the contact of unit A; anyone else: as if it did not exist.
    targeted = {"anonymous": 302, "learner": 200, "contact": 200, "blocked": 403}
    assert_role_matrix(client, "get", url, targeted | NOT_FOUND)
    assert_role_matrix(client, "post", url, targeted | NOT_FOUND, form_of(survey))
    assert SurveyResponse.objects.filter(survey=survey).count() == 2


def test_results_and_export_matrices(client, role_users, hr):  # noqa: F811 - P-29, P-31
    survey = make_survey(hr, unit_ids=[role_users.unit_id])
    assert_role_matrix(client, "get", reverse("elearn:survey-results", args=[survey.pk]), HR_ONLY)
    for table in ("summary", "answers"):
        url = reverse("elearn:survey-export", args=[survey.pk, table, "csv"])
        assert_role_matrix(client, "get", url, HR_ONLY)


def test_targets_are_units_with_their_subtrees_and_roles(make_user, hr):  # P-29
    root, _ = org.create_unit("t-root", "Root")
    child, _ = org.create_unit("t-child", "Child", parent_id=root.pk)
    outside, _ = org.create_unit("t-out", "Outside")
    engineer, _ = org.upsert_job_role("t-eng", "Engineer")
    clerk, _ = org.upsert_job_role("t-clerk", "Clerk")
    deep_engineer = place(make_user, child, engineer)
    deep_clerk = place(make_user, child, clerk)
    far_engineer = place(make_user, outside, engineer)

    by_unit = make_survey(hr, unit_ids=[root.pk])
    assert {surveys.is_targeted(u, by_unit) for u in (deep_engineer, deep_clerk)} == {True}
    assert not surveys.is_targeted(far_engineer, by_unit)
    both = make_survey(hr, unit_ids=[root.pk], role_ids=[engineer.pk])
    assert [surveys.is_targeted(u, both) for u in (deep_engineer, deep_clerk, far_engineer)] == [
        True, False, False,
    ]  # fmt: skip
    by_role = make_survey(hr, role_ids=[engineer.pk])
    assert surveys.is_targeted(far_engineer, by_role) and not surveys.is_targeted(
        deep_clerk, by_role
    )
    assert set(surveys.targeted_people(both).values_list("user_id", flat=True)) == {
        deep_engineer.pk
    }


def test_a_learner_outside_the_target_cannot_answer(client, make_user, hr):  # P-29, P-31
    inside, _ = org.create_unit("in", "In")
    other, _ = org.create_unit("out", "Out")
    survey = make_survey(hr, unit_ids=[inside.pk])
    outsider = place(make_user, other)
    client.force_login(outsider)
    assert client.get(reverse("elearn:survey", args=[survey.pk])).status_code == 404
    assert (
        client.post(reverse("elearn:survey", args=[survey.pk]), form_of(survey)).status_code == 404
    )
    with pytest.raises(surveys.FeedbackError):
        answer(outsider, survey)
    assert not SurveyResponse.objects.exists()
    # The learner's page lists only the surveys they are targeted by.
    assert "Needs 2026" not in client.get(reverse("elearn:feedback")).content.decode()
    client.force_login(place(make_user, inside))
    assert "Needs 2026" in client.get(reverse("elearn:feedback")).content.decode()


def test_drafts_are_hidden_and_closed_surveys_take_no_answers(client, make_user, hr):  # P-29
    unit, _ = org.create_unit("u", "U")
    learner = place(make_user, unit)
    draft = make_survey(hr, unit_ids=[unit.pk], open_it=False)
    client.force_login(learner)
    assert client.get(reverse("elearn:survey", args=[draft.pk])).status_code == 404
    survey = make_survey(hr, unit_ids=[unit.pk])
    surveys.close_survey(survey.pk, actor=hr)
    page = client.get(reverse("elearn:survey", args=[survey.pk]))
    assert page.status_code == 200 and "This survey is closed" in page.content.decode()
    refused = client.post(reverse("elearn:survey", args=[survey.pk]), form_of(survey))
    assert refused.status_code == 400 and not SurveyResponse.objects.exists()
    with pytest.raises(surveys.FeedbackError, match="Only a draft"):
        surveys.open_survey(survey.pk, actor=hr)


@pytest.mark.no_principal
def test_answering_again_replaces_the_answer(client, make_user, hr):  # P-29
    from elearn_plugin.audit import acting_as

    with acting_as("system:tests"):
        unit, _ = org.create_unit("u", "U")
    learner = place(make_user, unit)
    survey = make_survey(hr, unit_ids=[unit.pk])
    client.force_login(learner)
    url = reverse("elearn:survey", args=[survey.pk])
    assert client.post(url, form_of(survey, single="0", multi=("0", "1"), scale="2",
                                    text="first")).status_code == 200  # fmt: skip
    again = client.post(url, form_of(survey, single="2", multi=("2",), scale="5", text="second"))
    assert again.status_code == 200 and "your answers are saved" in again.content.decode()
    response = SurveyResponse.objects.get()
    assert response.texts == {str(qids(survey)[3]): "second"}
    assert sorted(SurveyAnswer.objects.values_list("question__position", "choice", "scale")) == [
        (1, 2, None), (2, 2, None), (3, None, 5),
    ]  # fmt: skip
    events = AuditEvent.objects.filter(verb="survey.answered").order_by("seq")
    assert [(e.actor_user_id, e.data["created"]) for e in events] == [
        (learner.pk, True), (learner.pk, False),
    ]  # fmt: skip


def _responses(make_user, survey, unit, answers):
    for single, multi, scale, text in answers:
        answer(place(make_user, unit), survey, single, multi, scale, text)


def test_results_are_aggregated(client, make_user, hr):  # P-29
    root, _ = org.create_unit("agg", "Group")
    north, _ = org.create_unit("agg-n", "North", parent_id=root.pk)
    south, _ = org.create_unit("agg-s", "South", parent_id=root.pk)
    place(make_user, south)  # targeted, does not answer
    survey = make_survey(hr, unit_ids=[root.pk])
    _responses(make_user, survey, north, [(0, (0, 1), 5, "Excel"), (1, (1,), 4, "")])
    _responses(make_user, survey, south, [(0, (2,), 1, "Forklift")])

    data = results.survey_results(survey)
    assert (data["respondents"], data["targeted"], data["share"]) == (3, 4, 75.0)
    single, multi, scale, text = data["questions"]
    assert [c["count"] for c in single["choices"]] == [2, 1, 0]
    assert [c["count"] for c in multi["choices"]] == [1, 2, 1]
    assert multi["answered"] == 3
    assert scale["average"] == round(10 / 3, 2)
    assert [c["count"] for c in scale["choices"]] == [1, 0, 0, 1, 1]
    assert sorted(text["texts"]) == [("North", "Excel"), ("South", "Forklift")]
    assert [(r["unit_name"], r["targeted"], r["respondents"]) for r in data["units"]] == [
        ("North", 2, 2), ("South", 2, 1),
    ]  # fmt: skip

    client.force_login(hr)
    page = client.get(reverse("elearn:survey-results", args=[survey.pk])).content.decode()
    assert "Forklift" in page and "3.33" in page
    assert "Name " not in page  # no respondent's name on the page (P-32)


def test_the_results_cost_the_same_queries_for_more_respondents(make_user, hr):  # P-29
    unit, _ = org.create_unit("q", "Q")
    survey = make_survey(hr, unit_ids=[unit.pk])
    _responses(make_user, survey, unit, [(0, (0,), 3, "a")] * 2)
    with CaptureQueriesContext(connection) as few:
        results.survey_results(survey)
    _responses(make_user, survey, unit, [(1, (1, 2), 4, "b")] * 12)
    with CaptureQueriesContext(connection) as many:
        results.survey_results(survey)
    assert len(many) == len(few)


def test_the_exports_read_back_with_units_and_no_names(client, make_user, hr):  # P-29, P-32
    unit, _ = org.create_unit("exp", "Export unit")
    survey = make_survey(hr, unit_ids=[unit.pk])
    _responses(
        make_user, survey, unit, [(1, (0, 2), 4, '=HYPERLINK("http://x")'), (0, (1,), 2, "")]
    )
    client.force_login(hr)
    response = client.get(reverse("elearn:survey-export", args=[survey.pk, "answers", "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 8  # two respondents, four questions each
    first = [r for r in rows if r["Respondent"] == "1"]
    assert [r["Answer"] for r in first] == [
        "Excel",
        "Day; Weekend",
        "4",
        '\'=HYPERLINK("http://x")',
    ]
    assert {r["Unit"] for r in rows} == {"Export unit"}
    names = set(Person.objects.values_list("name", flat=True))
    assert not any(name in text for name in names)
    usernames = [p.user.username for p in Person.objects.select_related("user")]
    assert not any(u in text for u in usernames)

    summary = client.get(reverse("elearn:survey-export", args=[survey.pk, "summary", "xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(summary.streaming_content)), read_only=True)
    sheet = list(book["summary"].iter_rows(values_only=True))
    assert sheet[0][3] == "Answer"
    assert ("Safety", 1) in {(row[3], row[4]) for row in sheet[1:]}
    assert ("average", 2, 3.0) in {(row[3], row[4], row[5]) for row in sheet[1:]}
    bad = client.get(reverse("elearn:survey-export", args=[survey.pk, "answers", "pdf"]))
    assert bad.status_code == 400
    assert (
        client.get(reverse("elearn:survey-export", args=[survey.pk, "x", "csv"])).status_code == 404
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f, ids: f | {"q999999": "1"}, "does not have"),
        (lambda f, ids: f | {f"q{ids[0]}": "7"}, "not one of its choices"),
        (lambda f, ids: f | {f"q{ids[0]}": "abc"}, "not one of its choices"),
        (lambda f, ids: f | {f"q{ids[1]}": ["0", "9"]}, "not one of its choices"),
        (lambda f, ids: f | {f"q{ids[2]}": "6"}, "from 1 to 5"),
        (lambda f, ids: f | {f"q{ids[2]}": ""}, "needs an answer"),
        (lambda f, ids: f | {f"q{ids[3]}": "x" * 2001}, "under 2000"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(client, make_user, hr, change, message):
    unit, _ = org.create_unit("bad", "Bad")
    survey = make_survey(hr, unit_ids=[unit.pk])
    client.force_login(place(make_user, unit))
    response = client.post(
        reverse("elearn:survey", args=[survey.pk]), change(form_of(survey), qids(survey))
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()


def test_hr_writes_targets_and_opens_a_survey_in_the_admin(client, hr):  # P-29
    unit, _ = org.create_unit("adm", "Admin unit")
    role, _ = org.upsert_job_role("adm-role", "Role")
    client.force_login(hr)
    add = reverse("admin:elearn_plugin_survey_add")
    form = {"title": "Needs", "description": "", "units": [unit.pk], "job_roles": [role.pk]}
    bad = client.post(add, form | {"questions_text": "single: Only | one"})
    assert bad.status_code == 200 and "line 1" in bad.content.decode()
    assert not Survey.objects.exists()
    untargeted = client.post(add, {"title": "Needs", "questions_text": QUESTIONS})
    assert "Choose the units or job roles" in untargeted.content.decode()
    assert client.post(add, form | {"questions_text": QUESTIONS}).status_code == 302
    survey = Survey.objects.get()
    assert survey.questions.count() == 4 and list(survey.units.all()) == [unit]
    assert AuditEvent.objects.filter(verb="survey.saved", actor_user_id=hr.pk).count() == 1
    changelist = reverse("admin:elearn_plugin_survey_changelist")
    client.post(changelist, {"action": "open_surveys", "_selected_action": [survey.pk]})
    survey.refresh_from_db()
    assert survey.status == "open"
    # Opened: the questions are fixed.
    change = reverse("admin:elearn_plugin_survey_change", args=[survey.pk])
    client.post(change, form | {"questions_text": "text: Replaced?"})
    assert survey.questions.count() == 4


def test_only_hr_reaches_the_survey_admin(client, make_user):  # P-31
    client.force_login(make_user(is_staff=False))
    assert client.get(reverse("admin:elearn_plugin_survey_changelist")).status_code == 302
    client.force_login(make_user(is_staff=True, is_superuser=False))
    assert client.get(reverse("admin:elearn_plugin_survey_changelist")).status_code == 200
    client.force_login(make_user(is_staff=False))
    assert client.get(reverse("admin:elearn_plugin_feedbackitem_changelist")).status_code == 302
