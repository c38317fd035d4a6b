"""The LMS reports a learner passing a course: the course completes when every tracked video
they can see was watched (P-17, P-20).

Payloads come from the real openedx-events data classes and go through the real signals, to
the plugin's receivers as the stand-in `PluginsConfig` connects them in the LMS:
- openedx-events `openedx_events/learning/signals.py`: `COURSE_PASSING_STATUS_UPDATED`
  (`course_passing_status=CoursePassingStatusData`), `CCX_COURSE_PASSING_STATUS_UPDATED`
  (`CcxCoursePassingStatusData`) and `COURSE_ENROLLMENT_CREATED`
  (`enrollment=CourseEnrollmentData`), with the classes of `openedx_events/learning/data.py`;
  receivers also get `metadata` (`EventsMetadata.time`, UTC) and `from_event_bus`.
- openedx-platform `lms/djangoapps/grades/events.py`: `_emit_course_passing_status_update`
  sends `COURSE_PASSING_STATUS_UPDATED` with `is_passing`, `UserData(id, is_active, pii)` and
  `CourseData(course_key)`, or the CCX event with `CcxCourseData(ccx_course_key,
  master_course_key)` when the course key is a CCX's; `course_grade_factory.py` sends it after
  every grade update, passing or not.
What each learner sees is read through the platform visibility adapter from the stand-in of
`lms/djangoapps/course_blocks/api.py` (`get_course_blocks`) over the stand-in modulestore; the
catch-up reads the stand-in of `lms/djangoapps/grades/models.py` (`PersistentCourseGrade`).
Tasks run on the stand-in LMS's Celery app (`lms.celery`, eager in the test settings).
"""

from __future__ import annotations

import logging
import sys
import types
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ccx_keys.locator import CCXLocator
from django.utils import timezone
from django.utils.module_loading import import_string
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.data import (
    CcxCourseData,
    CcxCoursePassingStatusData,
    CourseData,
    CourseEnrollmentData,
    CoursePassingStatusData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    CCX_COURSE_PASSING_STATUS_UPDATED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_PASSING_STATUS_UPDATED,
)

from elearn_plugin.audit import acting_as
from elearn_plugin.courses import enrolments
from elearn_plugin.courses.models import CourseCompletion, CoursePassing
from elearn_plugin.courses.services import CoursePolicySpec, save_course_policy
from elearn_plugin.host import grades, receivers
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.tasks.courses import evaluate_course_completion
from elearn_plugin.tick.services import run_tick
from elearn_plugin.video.models import VideoCompletion

COURSE = "course-v1:Org+Req+2026"
UNIT = "block-v1:Org+Req+2026+type@vertical+block@unit1"
STAFF_UNIT = "block-v1:Org+Req+2026+type@vertical+block@staffnotes"
V1 = "block-v1:Org+Req+2026+type@elearn_video+block@intro"
V_STAFF = "block-v1:Org+Req+2026+type@elearn_video+block@forstaff"
V_COHORT = "block-v1:Org+Req+2026+type@elearn_video+block@cohortb"
V_BRANCH = "block-v1:Org+Req+2026+type@elearn_video+block@branch_a"
CCX = "ccx-v1:Org+Req+2026+ccx@4"
CCX_V1 = "ccx-block-v1:Org+Req+2026+ccx@4+type@elearn_video+block@intro"
COHORTS, EXPERIMENT = 50, 60
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SIGNALS = (
    COURSE_PASSING_STATUS_UPDATED,
    CCX_COURSE_PASSING_STATUS_UPDATED,
    COURSE_ENROLLMENT_CREATED,
)


@pytest.fixture
def lms_celery():
    from lms.celery import APP

    assert APP.conf.task_always_eager
    return APP


@pytest.fixture
def strict_events(monkeypatch):
    """A receiver's exception reaches the test instead of being logged by the event."""
    for signal in SIGNALS:
        monkeypatch.setattr(signal, "_allow_send_event_failure", False)
        signal.allow_send_event_failure()


@pytest.fixture
def store(db, settings, lms_celery, strict_events):
    """A required course: a unit with a video, a staff-only unit, a cohort's and a branch's."""
    from lms.djangoapps.course_blocks import api as course_blocks
    from xmodule.modulestore.django import modulestore

    settings.ELEARN_HOST_ADAPTERS = "platform"
    ms = modulestore()
    ms.clear()
    course_blocks.clear()
    with acting_as("system:tests"):
        save_course_policy(CoursePolicySpec(COURSE, "Req", Decimal("3"), "required", "internal"))
    ms.add_item(UNIT)
    ms.add_item(STAFF_UNIT, visible_to_staff_only=True)
    ms.add_item(V1, parent=UNIT)
    ms.add_item(V_STAFF, parent=STAFF_UNIT)
    ms.add_item(V_COHORT, parent=UNIT, group_access={COHORTS: [2]})
    ms.add_item(V_BRANCH, parent=UNIT, group_access={EXPERIMENT: [0]})
    yield ms
    ms.clear()
    course_blocks.clear()


def _user_data(user) -> UserData:
    return UserData(
        id=user.pk,
        is_active=True,
        pii=UserPersonalData(username=user.username, email=user.email, name="Learner"),
    )


def _passing(user, is_passing=True, course_key=COURSE, time=None):
    """What the LMS's grades app sends after a course-grade update."""
    key = CourseKey.from_string(course_key) if isinstance(course_key, str) else course_key
    COURSE_PASSING_STATUS_UPDATED.send_event(
        time=time,
        course_passing_status=CoursePassingStatusData(
            is_passing=is_passing, course=CourseData(course_key=key), user=_user_data(user)
        ),
    )


def _watch(user, block_key, when, course_key=COURSE):
    VideoCompletion.objects.create(
        user_id=user.pk, course_key=course_key, block_key=block_key, watched_seconds=60.0,
        wall_seconds=61.0, first_watched_at=when, last_watched_at=when, completed_at=when,
    )  # fmt: skip


def _assign(user, partition_id, group_id, course_key=COURSE):
    from lms.djangoapps.course_blocks.api import assign_group

    assign_group(user.pk, course_key, partition_id, group_id)


# --- wiring ------------------------------------------------------------------------------


def test_the_lms_receivers_are_connected_as_the_platform_connects_them():
    lms = {
        (r["receiver_func_name"], r["signal_path"])
        for r in receivers.receivers_for("lms.djangoapp")
    }
    assert lms == {
        ("course_passing_status_updated", receivers.COURSE_PASSING_PATH),
        ("ccx_course_passing_status_updated", receivers.CCX_COURSE_PASSING_PATH),
        ("course_enrollment_created", receivers.COURSE_ENROLLMENT_CREATED_PATH),
        ("session_login_completed", receivers.SESSION_LOGIN_COMPLETED_PATH),
        ("retire_lms_critical", receivers.USER_RETIRE_LMS_CRITICAL_PATH),
        ("retire_mailings", receivers.USER_RETIRE_MAILINGS_PATH),
        ("lifecycle_changed", receivers.TRANSFERRED_PATH),
        ("lifecycle_changed", receivers.DEPARTED_PATH),
        ("lifecycle_changed", receivers.REHIRED_PATH),
    }
    studio = {r["receiver_func_name"] for r in receivers.receivers_for("cms.djangoapp")}
    assert not studio & {name for name, _path in lms}
    for entry in receivers.receivers_for("lms.djangoapp"):
        signal = import_string(entry["signal_path"])
        assert entry["dispatch_uid"] in {lookup[0] for lookup, *_ in signal.receivers}


def test_the_evaluation_task_lands_on_the_lms_default_queue(lms_celery):
    from openedx.core.lib.celery.routers import route_task

    task = lms_celery.tasks["elearn.evaluate_course_completion"]
    assert getattr(task, "queue", None) is None and task.ignore_result is True
    assert route_task("elearn.evaluate_course_completion", [COURSE, [1]], {}, {}) is None
    assert lms_celery.conf.task_default_queue == "edx.lms.core.default"


# --- the passing event, in either order ----------------------------------------------------


# P-17, P-20: videos first; the passing event completes the course after the commit, dated by
# the event's time, with its credits once; the platform repeats the event at each update.
def test_passing_after_the_videos_completes_the_course(
    store, make_user, django_capture_on_commit_callbacks
):
    learner = make_user()
    _assign(learner, COHORTS, 1)
    _assign(learner, EXPERIMENT, 1)
    _watch(learner, V1, T0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _passing(learner, time=T0 + timedelta(hours=1))
        assert not CourseCompletion.objects.exists()
    assert len(callbacks) == 1
    completion = CourseCompletion.objects.get()
    assert (completion.user_id, completion.completed_at) == (learner.pk, T0 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True) as again:
        _passing(learner, time=T0 + timedelta(hours=2))
    assert again == []  # no change, nothing to evaluate
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [Decimal("3.00")]
    row = CoursePassing.objects.get()
    assert (row.source, row.passing_since) == ("event", T0 + timedelta(hours=1))


# P-17: passing first; the learner's cohort video is still missing; once watched, the
# evaluation the video completion schedules completes the course at that time.
def test_passing_before_the_last_video_waits_for_it(
    store, make_user, django_capture_on_commit_callbacks
):
    learner = make_user()
    _assign(learner, COHORTS, 2)  # in the cohort that sees V_COHORT
    _watch(learner, V1, T0)
    with django_capture_on_commit_callbacks(execute=True):
        _passing(learner, time=T0 + timedelta(minutes=5))
    assert not CourseCompletion.objects.exists()
    _watch(learner, V_COHORT, T0 + timedelta(minutes=30))
    with acting_as("system:tests"):
        assert evaluate_course_completion(COURSE, [learner.pk]) == 1
    assert CourseCompletion.objects.get().completed_at == T0 + timedelta(minutes=30)


# P-17: staff-only units, other cohorts' videos and split-test branches the learner was not
# given do not block; staff, who see everything, need every video.
def test_hidden_videos_do_not_block_those_who_cannot_see_them(
    store, make_user, django_capture_on_commit_callbacks
):
    outside = make_user()
    _assign(outside, COHORTS, 1)
    _assign(outside, EXPERIMENT, 1)
    branch_a = make_user()
    _assign(branch_a, EXPERIMENT, 0)
    staff = make_user(is_staff=True)
    for user in (outside, branch_a, staff):
        _watch(user, V1, T0)
    with django_capture_on_commit_callbacks(execute=True):
        for user in (outside, branch_a, staff):
            _passing(user, time=T0 + timedelta(minutes=1))
    assert set(CourseCompletion.objects.values_list("user_id", flat=True)) == {outside.pk}
    _watch(branch_a, V_BRANCH, T0 + timedelta(minutes=2))
    with acting_as("system:tests"):
        assert evaluate_course_completion(COURSE, [branch_a.pk, staff.pk]) == 1


# P-17: a section not released yet still counts (the blocks API is asked with future starts).
def test_a_video_not_released_yet_still_counts(
    store, make_user, django_capture_on_commit_callbacks
):
    store.add_item(
        "block-v1:Org+Req+2026+type@elearn_video+block@later",
        parent=UNIT,
        start=timezone.now() + timedelta(days=30),
    )
    learner = make_user()
    _assign(learner, COHORTS, 1)
    _watch(learner, V1, T0)
    with django_capture_on_commit_callbacks(execute=True):
        _passing(learner, time=T0 + timedelta(minutes=1))
    assert not CourseCompletion.objects.exists()


# P-17: a video kept only as a locked placeholder (an enrollment track) cannot be watched and
# does not count.
def test_a_locked_placeholder_does_not_count(store, make_user, django_capture_on_commit_callbacks):
    from lms.djangoapps.course_blocks.api import MESSAGE_PARTITIONS

    tracks = 70
    MESSAGE_PARTITIONS.add(tracks)
    store.add_item(
        "block-v1:Org+Req+2026+type@elearn_video+block@verified", parent=UNIT,
        group_access={tracks: [2]},
    )  # fmt: skip
    learner = make_user()
    _assign(learner, COHORTS, 1)
    _watch(learner, V1, T0)
    with django_capture_on_commit_callbacks(execute=True):
        _passing(learner, time=T0 + timedelta(minutes=1))
    assert CourseCompletion.objects.get().user_id == learner.pk


# P-17: a CCX's passing is recorded under the CCX's key, where its learners watch.
def test_a_ccx_passing_event_is_recorded_under_the_ccx(
    store, make_user, django_capture_on_commit_callbacks
):
    with acting_as("system:tests"):
        save_course_policy(CoursePolicySpec(CCX, "Req CCX", Decimal("1"), "required", "internal"))
    store.add_item(CCX_V1)
    learner = make_user()
    _watch(learner, CCX_V1, T0, course_key=CCX)
    ccx = CCXLocator.from_string(CCX)
    with django_capture_on_commit_callbacks(execute=True):
        CCX_COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=CcxCoursePassingStatusData(
                is_passing=True,
                course=CcxCourseData(ccx_course_key=ccx, master_course_key=ccx.to_course_locator()),
                user=_user_data(learner),
            )
        )
    assert CoursePassing.objects.get().course_key == CCX
    assert CourseCompletion.objects.get().course_key == CCX


# --- bad input: logged, nothing written, never an exception into the platform ---------------


@pytest.mark.parametrize(
    "course_key",
    [
        CourseKey.from_string("library-v1:Org+Lib"),
        UsageKey.from_string(V1),
        None,
    ],
    ids=["library", "usage-key", "none"],
)
def test_a_non_course_key_is_logged_and_ignored(store, make_user, caplog, course_key):
    learner = make_user()
    with caplog.at_level(logging.WARNING):
        _passing(learner, course_key=course_key)
    assert "COURSE_PASSING_STATUS_UPDATED with a" in caplog.text
    assert learner.username not in caplog.text and learner.email not in caplog.text
    assert not CoursePassing.objects.exists()


def test_a_course_without_a_policy_is_ignored(store, make_user):
    _passing(make_user(), course_key="course-v1:Org+Unknown+2026")
    assert not CoursePassing.objects.exists()


@pytest.mark.parametrize("is_passing", ["yes", None, 1])
def test_a_broken_passing_value_is_logged_and_writes_nothing(store, make_user, caplog, is_passing):
    learner = make_user()
    with caplog.at_level(logging.ERROR):
        _passing(learner, is_passing=is_passing)
    assert "the passing status was not recorded" in caplog.text
    assert not CoursePassing.objects.exists()


def test_a_user_without_an_account_is_logged_and_writes_nothing(store, make_user, caplog):
    ghost = types.SimpleNamespace(pk=987_654, username="ghost", email="ghost@example.com")
    with caplog.at_level(logging.ERROR):
        _passing(ghost)
    assert "the passing status was not recorded" in caplog.text
    assert not CoursePassing.objects.exists()


def test_broken_payloads_never_raise(store):
    for receiver in (
        receivers.course_passing_status_updated,
        receivers.ccx_course_passing_status_updated,
    ):
        receiver(course_passing_status=None)
        receiver(course_passing_status=object(), metadata="not metadata")
    receivers.course_enrollment_created(enrollment=None)
    assert not CoursePassing.objects.exists()


# --- the catch-up reads the platform's persisted grades --------------------------------------


# P-17: the event was lost: the persisted grade is read through the platform adapter.
@pytest.mark.no_principal
def test_a_lost_event_is_recovered_from_persistent_course_grades(store, make_user):
    from lms.djangoapps.grades.models import PersistentCourseGrade

    learner, failing = make_user(), make_user()
    _assign(learner, COHORTS, 1)
    _watch(learner, V1, T0)
    PersistentCourseGrade.update_or_create(
        learner.pk,
        CourseKey.from_string(COURSE),
        passed=True,
        percent_grade=0.8,
        letter_grade="Pass",
    )
    PersistentCourseGrade.update_or_create(
        failing.pk, CourseKey.from_string(COURSE), passed=False, percent_grade=0.2, letter_grade=""
    )
    report = run_tick(now=timezone.now() + timedelta(hours=1), only="courses.completion_catch_up")
    summary = report.jobs["courses.completion_catch_up"].summary
    assert summary["persistent_grades"] == {"enabled": True, "reason": "persisted"}
    assert (summary["grades_read"], summary["completed"]) == (2, 1)
    passed_at = PersistentCourseGrade.objects.get(user_id=learner.pk).passed_timestamp
    assert CourseCompletion.objects.get().completed_at == passed_at


def test_persistence_is_read_from_the_platform(store, monkeypatch):
    assert grades.persistence() == grades.Persistence(True, grades.PERSISTED)
    # A platform before Olive kept a flag model (`lms/djangoapps/grades/config/models.py`).
    flag = types.SimpleNamespace(enabled=False, enabled_for_all_courses=False)
    legacy = types.ModuleType("lms.djangoapps.grades.config.models")
    legacy.PersistentGradesEnabledFlag = types.SimpleNamespace(current=lambda: flag)
    monkeypatch.setitem(sys.modules, "lms.djangoapps.grades.config", types.ModuleType("config"))
    monkeypatch.setitem(sys.modules, "lms.djangoapps.grades.config.models", legacy)
    assert grades.persistence() == grades.Persistence(False, grades.FLAG_OFF)
    flag.enabled = flag.enabled_for_all_courses = True
    assert grades.persistence().enabled is True
    from django.apps import apps

    monkeypatch.setattr(apps, "is_installed", lambda name: False)  # Studio: no grades app
    assert grades.persistence() == grades.Persistence(None, grades.NO_GRADES_APP)


# --- enrolment confirmation (P-14) -----------------------------------------------------------


def _enrolled(user, course_key=COURSE, created=T0):
    COURSE_ENROLLMENT_CREATED.send_event(
        enrollment=CourseEnrollmentData(
            user=_user_data(user),
            course=CourseData(course_key=CourseKey.from_string(course_key)),
            mode="audit",
            is_active=True,
            creation_date=created,
        )
    )


def test_an_enrolment_event_confirms_the_enrolment(store, make_user, monkeypatch):
    calls = []
    monkeypatch.setattr(enrolments, "confirm_enrolment", lambda **kw: calls.append(kw))
    learner = make_user()
    _enrolled(learner)
    assert calls == [{"user_id": learner.pk, "course_key": COURSE, "when": T0}]


def test_a_failing_confirmation_is_logged_and_never_raises(store, make_user, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(enrolments, "confirm_enrolment", broken)
    with caplog.at_level(logging.ERROR):
        _enrolled(make_user())
    assert "COURSE_ENROLLMENT_CREATED: the enrolment was not confirmed" in caplog.text
