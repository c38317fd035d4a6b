"""The completion catch-up (P-17, P-33): a lost passing event or evaluation never loses a
completion; the health report and the checks say when the host keeps no grades to read."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from elearn_plugin.audit import acting_as
from elearn_plugin.courses import completion_jobs, services
from elearn_plugin.courses.models import CourseCompletion, CoursePassing
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.tick.services import OK, health, run_tick
from elearn_plugin.video.models import BuiltinVideoFinding
from tests.unit.courses import completion_fixtures
from tests.unit.courses.completion_fixtures import (
    COURSE,
    CREDITS,
    OTHER_COURSE,
    V1,
    V2,
    at,
    passes,
    watch,
)

JOB = completion_jobs.JOB
LATER = at(60 * 24)  # the tick, a day later: every row has settled

# The fixtures of the course-completion tests.
course, fakes, choices = (
    completion_fixtures.course,
    completion_fixtures.fakes,
    completion_fixtures.choices,
)


def _tick(now=LATER) -> dict:
    outcome = run_tick(now=now, only=JOB).jobs[JOB]
    assert outcome.status == OK, outcome.error
    return outcome.summary


def _watched_all(user, minutes=1):
    watch(user, V1, at(minutes))
    watch(user, V2, at(minutes + 1))


# P-17: the passing event was lost; the persisted grade is read and the course completes,
# dated by the grade's first passing time, with its credits, once.
@pytest.mark.no_principal
def test_a_lost_passing_event_is_recovered_by_the_catch_up(course, fakes, make_user):
    learner = make_user()
    _watched_all(learner)
    fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(10))
    summary = _tick()
    assert (summary["grades_read"], summary["passing_changed"], summary["completed"]) == (1, 1, 1)
    row = CoursePassing.objects.get()
    assert (row.source, row.passing_since) == ("catch_up", at(10))
    assert CourseCompletion.objects.get().completed_at == at(10)
    again = _tick(LATER + timedelta(hours=1))
    assert (again["grades_read"], again["completed"]) == (0, 0)
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [CREDITS]


# P-17: the evaluation after the last video was lost (a broker down); the catch-up reads the
# new video completions and completes the course.
@pytest.mark.no_principal
def test_a_lost_evaluation_after_the_last_video_is_recovered(course, make_user):
    learner = make_user()
    passes(learner, at(1))
    _watched_all(learner, minutes=5)
    summary = _tick()
    assert summary["videos_read"] == 2 and summary["completed"] == 1
    assert CourseCompletion.objects.get().completed_at == at(6)


# P-17: a grade older than the event already recorded does not overwrite it.
@pytest.mark.no_principal
def test_an_older_grade_never_overwrites_a_newer_event(course, fakes, make_user):
    learner = make_user()
    _watched_all(learner)
    fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(10))
    passes(learner, at(20), passing=True)
    passes(learner, at(30), passing=False)
    summary = _tick()
    assert summary["passing_changed"] == 0 and summary["completed"] == 0
    assert CoursePassing.objects.get().passing_since is None


# P-17: failing grades write nothing. The host keeps the first passing time of a grade; a
# learner who failed after it and passes again (that event lost) counts from the grade's read.
@pytest.mark.no_principal
def test_failing_then_passing_again_is_recorded_from_the_grade(course, fakes, make_user):
    learner = make_user()
    _watched_all(learner)
    grades = fakes["grades"]
    grades.record(learner.pk, COURSE, passing=False, when=at(3))
    assert _tick()["passing_changed"] == 0
    assert not CoursePassing.objects.exists()
    grades.record(learner.pk, COURSE, passing=True, when=at(4))
    passes(learner, at(4))
    grades.record(learner.pk, COURSE, passing=False, when=at(5))
    passes(learner, at(5), passing=False)
    grade = grades.record(learner.pk, COURSE, passing=True, when=at(8))  # its event is lost
    assert grade.passed_at == at(4)
    assert _tick(LATER + timedelta(hours=1))["completed"] == 1
    assert CourseCompletion.objects.get().completed_at == at(8)


# P-17: grades of a course that got its policy after the catch-up went past them are read
# from the start (a backfill), then the course joins the others.
@pytest.mark.no_principal
def test_a_course_followed_later_is_backfilled(course, fakes, make_user):
    learner = make_user()
    other_video = V1.replace("SAFE101", "ETH201")
    fakes["structure"].register(OTHER_COURSE, "elearn_video", [other_video])
    watch(learner, other_video, at(1), course_key=OTHER_COURSE)
    fakes["grades"].record(learner.pk, OTHER_COURSE, passing=True, when=at(2))
    first = _tick()
    assert first["grades_read"] == 0 and first["courses"] == [COURSE]
    with acting_as("system:tests"):
        services.save_course_policy(
            services.CoursePolicySpec(OTHER_COURSE, "Ethics", CREDITS, "elective", "internal")
        )
    second = _tick(LATER + timedelta(hours=1))
    assert second["completed"] == 1
    assert second["courses"] == sorted([COURSE, OTHER_COURSE])
    assert second["backfill"] == {"courses": [], "after": None}
    assert CourseCompletion.objects.get().course_key == OTHER_COURSE


# P-33: a run reads a bounded number of pages and says so; the next run goes on from there.
@pytest.mark.no_principal
def test_work_per_run_is_bounded_and_continues(course, fakes, make_user, monkeypatch):
    monkeypatch.setattr(completion_jobs, "PAGE_SIZE", 2)
    monkeypatch.setattr(completion_jobs, "MAX_PAGES", 2)
    learners = [make_user() for _ in range(7)]
    for index, learner in enumerate(learners):
        _watched_all(learner)
        fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(10 + index))
    first = _tick()
    assert first["more"] is True and first["grades_read"] == 4
    second = _tick(LATER + timedelta(hours=1))
    assert second["grades_read"] == 3
    assert CourseCompletion.objects.count() == 7


# P-33: rows newer than the settling time are left to the next run.
@pytest.mark.no_principal
def test_rows_still_settling_are_left_for_the_next_run(course, fakes, make_user):
    learner = make_user()
    _watched_all(learner)
    fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(10))
    assert _tick(at(11))["grades_read"] == 0
    assert _tick(at(20))["grades_read"] == 1


# P-17: a persisted grade of an account that no longer exists is skipped, not a failure.
@pytest.mark.no_principal
def test_grades_of_missing_accounts_are_skipped(course, fakes, make_user):
    learner = make_user()
    _watched_all(learner)
    fakes["grades"].record(987_654, COURSE, passing=True, when=at(9))
    fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(10))
    summary = _tick()
    assert summary["grades_read"] == 2 and summary["completed"] == 1


# --- when the host keeps no grades to read ---------------------------------------------------


# P-17: the health report and the job say the persisted grades are off; videos still count.
@pytest.mark.no_principal
def test_persistent_grades_off_is_a_health_problem(course, fakes, make_user):
    assert health()["persistent_grades"] == {"enabled": True, "reason": "persisted"}
    assert "persistent_grades_off" not in health()["problems"]
    fakes["grades"].enabled = False
    learner = make_user()
    fakes["grades"].record(learner.pk, COURSE, passing=True, when=at(1))
    summary = _tick()
    assert summary["persistent_grades"] == {"enabled": False, "reason": "flag_off"}
    assert summary["grades_read"] == 0
    report = health()
    assert "persistent_grades_off" in report["problems"] and report["healthy"] is False
    assert report["persistent_grades"]["enabled"] is False


def test_check_policy_warns_when_grades_are_not_persisted(db, fakes):
    out, err = StringIO(), StringIO()
    call_command("elearn_check_policy", stdout=out, stderr=err)
    assert "Warning" not in err.getvalue()
    fakes["grades"].enabled = False
    out, err = StringIO(), StringIO()
    call_command("elearn_check_policy", stdout=out, stderr=err)
    assert "is valid" in out.getvalue()
    assert "Warning: the host does not persist course grades (flag_off)" in err.getvalue()


# --- what elearn_check_builtin_videos says the policy makes of a course ----------------------


@pytest.mark.parametrize(
    ("builtin", "without", "expected"),
    [
        (
            "not_countable",
            "not_countable",
            [
                "1 built-in video(s); completion.builtin_videos = not_countable: no learner "
                "completes this course until they are replaced by tracked videos",
                "no tracked video; completion.without_tracked_videos = not_countable: no "
                "learner completes it here",
            ],
        ),
        (
            "ignore",
            "grade_only",
            [
                "1 built-in video(s); completion.builtin_videos = ignore: they are not counted",
                "no tracked video; completion.without_tracked_videos = grade_only: passing the "
                "course completes it",
            ],
        ),
    ],
)
def test_check_builtin_videos_reports_what_the_policy_makes_of_them(
    course, fakes, choices, builtin, without, expected
):
    choices(without=without, builtin=builtin)
    bare = "course-v1:Org+BARE+2026"
    with acting_as("system:tests"):
        services.save_course_policy(
            services.CoursePolicySpec(bare, "Bare", CREDITS, "required", "internal")
        )
    fakes["structure"].register(COURSE, "video", ["block-v1:Org+SAFE101+2026+type@video+block@x"])
    err = StringIO()
    call_command("elearn_check_builtin_videos", "--no-fail", stdout=StringIO(), stderr=err)
    text = err.getvalue()
    assert f"{COURSE}: {expected[0]}" in text
    assert f"{bare}: {expected[1]}" in text
    assert f"{COURSE}: no tracked video" not in text
    assert BuiltinVideoFinding.objects.filter(course_key=COURSE).count() == 1
