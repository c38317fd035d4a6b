"""Course completion (P-17, P-20): every visible tracked video watched and the course passed.

The passing state is recorded once per change and never overwritten by an older report; the
completion is recorded when both first hold, in either order, once, with its credits once; a
video the learner cannot see does not block it; bad input writes nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import transaction

from elearn_plugin.audit import acting_as
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses.models import CourseCompletion, CoursePassing
from elearn_plugin.courses.passing import (
    PassingSpec,
    evaluate_completions,
    record_passing_status,
    record_passing_status_bulk,
)
from elearn_plugin.courses.validation import CourseDataError
from elearn_plugin.host.access import FakeAccessAdapter
from elearn_plugin.ledger import totals
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.tasks import courses as course_tasks
from elearn_plugin.video import services as video
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
from tests.unit.video.conftest import OFFICE, SUNDAY_EVENING, later

# The fixtures of the course-completion tests.
course, fakes, choices = (
    completion_fixtures.course,
    completion_fixtures.fakes,
    completion_fixtures.choices,
)


def _evaluate(user_ids, course_key=COURSE):
    with acting_as("task:elearn.evaluate_course_completion"):
        return evaluate_completions(course_key, user_ids)


def _credits(user):
    return list(LedgerEntry.objects.filter(user_id=user.pk).values_list("amount", "source_key"))


def _completed_at(user, course_key=COURSE):
    return CourseCompletion.objects.get(user_id=user.pk, course_key=course_key).completed_at


# --- both must hold, in either order, once -----------------------------------------------


# P-17, P-20: all videos first, passing later: completed when passing began, credited once.
def test_videos_then_passing_completes_at_passing(course, make_user):
    learner = make_user()
    watch(learner, V1, at(1))
    watch(learner, V2, at(2))
    assert _evaluate([learner.pk]) == 0  # not passing yet
    assert passes(learner, at(30)) is True
    assert _evaluate([learner.pk]) == 1
    assert _completed_at(learner) == at(30)
    assert _credits(learner) == [(CREDITS, f"completion:{COURSE}")]


# P-17, P-20: passing first, the last video later: completed when the last video was watched.
def test_passing_then_videos_completes_at_the_last_video(course, make_user):
    learner = make_user()
    passes(learner, at(5))
    watch(learner, V1, at(10))
    assert _evaluate([learner.pk]) == 0  # one video still to watch
    assert not CourseCompletion.objects.exists()
    watch(learner, V2, at(20))
    assert _evaluate([learner.pk]) == 1
    assert _completed_at(learner) == at(20)


# P-17, P-20: evaluated again, passing again, failing and passing again: one completion, one
# credit entry, the first date kept.
def test_a_completion_is_recorded_and_credited_once(course, make_user):
    learner = make_user()
    watch(learner, V1, at(1))
    watch(learner, V2, at(2))
    passes(learner, at(3))
    assert _evaluate([learner.pk]) == 1
    assert _evaluate([learner.pk]) == 0
    assert passes(learner, at(4)) is False  # the same state again changes nothing
    passes(learner, at(5), passing=False)
    passes(learner, at(6))
    assert _evaluate([learner.pk]) == 0
    assert CourseCompletion.objects.count() == 1
    assert _completed_at(learner) == at(3)
    assert _credits(learner) == [(CREDITS, f"completion:{COURSE}")]
    assert AuditEvent.objects.filter(verb="completion.recorded").count() == 1


# P-17: failing again before the last video: no completion until passing again.
def test_failing_again_before_the_last_video_waits_for_passing(course, make_user):
    learner = make_user()
    passes(learner, at(1))
    watch(learner, V1, at(2))
    passes(learner, at(3), passing=False)
    watch(learner, V2, at(4))
    assert _evaluate([learner.pk]) == 0
    passes(learner, at(9))
    assert _evaluate([learner.pk]) == 1
    assert _completed_at(learner) == at(9)


# P-17: another course's videos and passing count for nothing here.
def test_other_courses_do_not_count(course, make_user):
    learner = make_user()
    watch(learner, V1, at(1))
    watch(learner, V2.replace("SAFE101", "ETH201"), at(2), course_key=OTHER_COURSE)
    passes(learner, at(3))
    assert _evaluate([learner.pk]) == 0


# --- what the learner can see --------------------------------------------------------------


# P-17: a staff-only video does not block learners; staff see it and need it.
def test_a_staff_only_video_does_not_block_learners(course, fakes, make_user):
    fakes["visibility"].staff_only(V2)
    learner, staff = make_user(), make_user(is_staff=True)
    for user in (learner, staff):
        watch(user, V1, at(1))
        passes(user, at(2))
    assert _evaluate([learner.pk, staff.pk]) == 1
    assert _completed_at(learner) == at(2)
    assert not CourseCompletion.objects.filter(user_id=staff.pk).exists()


# P-17: a cohort-specific (content group) video counts only for the learners who can see it.
def test_a_cohort_video_blocks_only_its_cohort(course, fakes, make_user):
    outside, inside = make_user(), make_user()
    fakes["visibility"].restrict(V2, [inside.pk])
    for user in (outside, inside):
        watch(user, V1, at(1))
        passes(user, at(2))
    assert _evaluate([outside.pk, inside.pk]) == 1
    assert CourseCompletion.objects.get().user_id == outside.pk
    watch(inside, V2, at(7))
    assert _evaluate([inside.pk]) == 1
    assert _completed_at(inside) == at(7)


# P-17: the host is asked only about learners whose verdict depends on what they see.
def test_visibility_is_read_only_for_learners_missing_a_video(course, fakes, make_user):
    complete, missing, failing = make_user(), make_user(), make_user()
    for user in (complete, missing, failing):
        watch(user, V1, at(1))
    watch(complete, V2, at(2))
    passes(complete, at(3))
    passes(missing, at(3))
    assert _evaluate([complete.pk, missing.pk, failing.pk]) == 1
    assert fakes["visibility"].calls == [(COURSE, (missing.pk,))]


# --- the policy's choices -----------------------------------------------------------------


# P-17: a course without any tracked video: not countable by default, the grade when chosen.
@pytest.mark.parametrize(("without", "completes"), [("not_countable", 0), ("grade_only", 1)])
def test_a_course_without_tracked_videos_follows_the_policy(
    course, fakes, choices, make_user, without, completes
):
    choices(without=without)
    fakes["structure"].clear()
    learner = make_user()
    passes(learner, at(4))
    assert _evaluate([learner.pk]) == completes
    if completes:
        assert _completed_at(learner) == at(4)


# P-17: built-in videos found by the rescan make the course not countable, or are ignored.
@pytest.mark.parametrize(("builtin", "completes"), [("not_countable", 0), ("ignore", 1)])
def test_builtin_videos_follow_the_policy(course, choices, make_user, builtin, completes):
    choices(builtin=builtin)
    BuiltinVideoFinding.objects.create(
        course_key=COURSE, block_key="block-v1:Org+SAFE101+2026+type@video+block@old"
    )
    learner = make_user()
    watch(learner, V1, at(1))
    watch(learner, V2, at(2))
    passes(learner, at(3))
    assert _evaluate([learner.pk]) == completes


# --- the passing state ----------------------------------------------------------------------


# P-17, P-33: one audit row per change; a repeat, an older report and "not passing" without a
# row write nothing.
def test_passing_is_recorded_once_per_change(course, make_user):
    learner = make_user()
    assert passes(learner, at(1), passing=False) is False
    assert not CoursePassing.objects.exists()
    assert passes(learner, at(2)) is True
    assert passes(learner, at(3)) is False
    assert passes(learner, at(1), passing=False) is False  # older than the stored report
    row = CoursePassing.objects.get()
    assert (row.passing_since, row.updated_at, row.source) == (at(2), at(2), "event")
    assert passes(learner, at(4), passing=False) is True
    assert CoursePassing.objects.get().passing_since is None
    events = AuditEvent.objects.filter(verb="course_passing.changed").order_by("id")
    assert [e.data["is_passing"] for e in events] == [True, False]
    assert {e.actor_system for e in events} == {"receiver:course_passing_status_updated"}


# P-17: the host's own first-pass time is kept unless the learner failed after it.
def test_the_hosts_passed_time_is_used_unless_failed_after(course, make_user):
    first, second = make_user(), make_user()
    spec = PassingSpec(first.pk, COURSE, True, observed_at=at(9), passed_at=at(2))
    record_passing_status_bulk([spec], source="catch_up")
    assert CoursePassing.objects.get(user_id=first.pk).passing_since == at(2)
    passes(second, at(1))
    passes(second, at(5), passing=False)
    spec = PassingSpec(second.pk, COURSE, True, observed_at=at(9), passed_at=at(1))
    record_passing_status_bulk([spec], source="catch_up")
    assert CoursePassing.objects.get(user_id=second.pk).passing_since == at(9)


# P-17: of several reports of one learner in one call, the latest counts.
def test_the_latest_of_several_reports_counts(course, make_user):
    learner = make_user()
    specs = [
        PassingSpec(learner.pk, COURSE, False, at(5)),
        PassingSpec(learner.pk, COURSE, True, at(1)),
    ]
    assert record_passing_status_bulk(specs) == []
    assert not CoursePassing.objects.exists()


# P-33: a writer that loses the race for a new row decides again against the winner's.
def test_a_row_taken_meanwhile_is_decided_again(course, make_user, monkeypatch):
    from elearn_plugin.courses import passing

    learner, other = make_user(), make_user()
    real = passing._insert_new

    def rival_first(rows):
        # Another receiver stores `other` between this writer's read and its insert.
        CoursePassing.objects.create(
            user_id=other.pk, course_key=COURSE, passing_since=at(1), source="event",
            updated_at=at(1),
        )  # fmt: skip
        return real(rows)

    monkeypatch.setattr(passing, "_insert_new", rival_first)
    specs = [PassingSpec(u.pk, COURSE, True, at(3)) for u in (learner, other)]
    assert record_passing_status_bulk(specs) == [(learner.pk, COURSE)]
    assert CoursePassing.objects.get(user_id=other.pk).passing_since == at(1)
    assert AuditEvent.objects.filter(verb="course_passing.changed").count() == 1


# --- the trigger from a verified video completion ------------------------------------------


@pytest.fixture
def lms_celery():
    """The LMS's one Celery app (the platform's `lms/__init__.py` imports it at start)."""
    from lms.celery import APP

    assert APP.conf.task_always_eager
    return APP


# P-17: the report that completes the last video evaluates the course after its commit.
def test_the_last_video_watched_completes_the_course_after_commit(
    course, make_user, django_capture_on_commit_callbacks, lms_celery
):
    learner = make_user()
    FakeAccessAdapter.enrol(learner.pk, COURSE)
    watch(learner, V1, later(SUNDAY_EVENING, -3600))
    passes(learner, SUNDAY_EVENING)
    spec = video.VideoSpec(block_key=V2, course_key=COURSE, duration=30.0, max_rate=1.0)
    grant = video.start_session(learner, spec, OFFICE, now=SUNDAY_EVENING)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 29.5}
    with django_capture_on_commit_callbacks(execute=True):
        result = video.accept_report(learner, body, OFFICE, now=later(SUNDAY_EVENING, 31))
        assert result.completion_created
        assert not CourseCompletion.objects.exists()  # not before the commit
    assert _completed_at(learner) == later(SUNDAY_EVENING, 31)
    assert _credits(learner) == [(CREDITS, f"completion:{COURSE}")]
    FakeAccessAdapter.clear()


# P-17: a rolled back completion schedules nothing; a broker that is down loses nothing the
# catch-up cannot recover, and never fails the report.
def test_the_evaluation_is_scheduled_only_after_a_commit(
    course, make_user, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    sent = []
    monkeypatch.setattr(course_tasks.evaluate_course_completion, "delay", lambda *a: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                course_tasks.schedule_completion_evaluation(COURSE, [7])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and sent == []
    with django_capture_on_commit_callbacks(execute=True):
        course_tasks.schedule_completion_evaluation(COURSE, [7, 7, 3])
    assert sent == [(COURSE, [3, 7])]

    def down(*args):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(course_tasks.evaluate_course_completion, "delay", down)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        course_tasks.schedule_completion_evaluation(COURSE, [7])
    assert f"Could not enqueue the completion evaluation of course {COURSE}" in caplog.text


# P-17: the task refuses a course it does not follow with a log line, and writes nothing.
@pytest.mark.no_principal
def test_the_task_logs_bad_input_and_writes_nothing(course, make_user, caplog):
    learner = make_user()
    with caplog.at_level(logging.INFO):
        assert course_tasks.evaluate_course_completion(OTHER_COURSE, [learner.pk]) == 0
        assert course_tasks.evaluate_course_completion("library-v1:Org+Lib", [learner.pk]) == 0
    assert "Unknown course keys (no course policy)" in caplog.text
    assert not CourseCompletion.objects.exists()


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course_key", "message"),
    [
        (OTHER_COURSE, "no course policy"),
        ("library-v1:Org+Lib", "not a course key"),
        ("block-v1:Org+SAFE101+2026+type@video+block@x", "not a course key"),
        ("garbage", "not a course key"),
        (None, "required"),
    ],
)
def test_bad_course_keys_are_refused_and_nothing_is_written(course, make_user, course_key, message):
    learner = make_user()
    with pytest.raises(CourseDataError, match=message):
        passes(learner, at(1), course_key=course_key)
    with pytest.raises(CourseDataError, match=message):
        _evaluate([learner.pk], course_key=course_key)
    assert not CoursePassing.objects.exists()
    assert not AuditEvent.objects.filter(verb="course_passing.changed").exists()


@pytest.mark.parametrize(
    "spec",
    [
        {"is_passing": "yes"},
        {"is_passing": None},
        {"observed_at": at(1).replace(tzinfo=None)},
        {"passed_at": at(1).replace(tzinfo=None)},
        {"user_id": 999_999},
    ],
    ids=["string", "none", "naive-observed", "naive-passed", "unknown-user"],
)
def test_bad_reports_are_refused_and_nothing_is_written(course, make_user, spec):
    learner = make_user()
    fields = {"user_id": learner.pk, "course_key": COURSE, "is_passing": True, "observed_at": at(1)}
    good = PassingSpec(learner.pk, COURSE, True, at(1))
    with pytest.raises(CourseDataError):
        record_passing_status_bulk([good, PassingSpec(**{**fields, **spec})])
    assert not CoursePassing.objects.exists()


def test_bad_learner_ids_and_an_unknown_source_are_refused(course, make_user):
    for ids in (["1"], [1, "2"], [True]):
        with pytest.raises(CourseDataError, match="integer"):
            _evaluate(ids)
    with pytest.raises(CourseDataError, match="source"):
        record_passing_status(make_user().pk, COURSE, True, at(1), source="guess")
    assert _evaluate([]) == 0


# --- set-based: the query count does not grow with the learners ----------------------------


def _learners(make_user, count):
    users = [make_user() for _ in range(count)]
    for index, user in enumerate(users):
        watch(user, V1, at(1))
        if index % 3:
            watch(user, V2, at(2))  # a third miss a video: the host is asked about them
    return users


# P-17: recording the passing of N learners and evaluating them costs the same queries for N.
@pytest.mark.parametrize("size", [4, 40])
def test_query_count_does_not_depend_on_the_number_of_learners(
    course, make_user, django_assert_max_num_queries, size
):
    users = _learners(make_user, size)
    specs = [PassingSpec(u.pk, COURSE, True, at(3)) for u in users]
    with django_assert_max_num_queries(10), acting_as("job:courses.completion_catch_up"):
        assert len(record_passing_status_bulk(specs, source="catch_up")) == size
    totals.build("Asia/Shanghai")  # the credits' running totals are kept too (ADR 0014)
    with django_assert_max_num_queries(25):
        assert _evaluate([u.pk for u in users]) == size - len(users[::3])
    assert LedgerEntry.objects.filter(amount=Decimal("2.00")).count() == size - len(users[::3])
