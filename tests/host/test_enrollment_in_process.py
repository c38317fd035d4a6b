"""Mirrors openedx-platform `common/djangoapps/student/models/course_enrollment.py` (`enroll`).

The Open edX enrolment adapter (`ELEARN_HOST_ADAPTERS="platform"`) against the stand-in of
that module in `tests/host/platform/`: the real openedx-filters `CourseEnrollmentStarted`
pipeline runs, the stand-in's course registry plays the course overviews.
"""

import logging

import pytest
from common.djangoapps.student import models as student
from common.djangoapps.student.models import CourseEnrollment
from django.contrib.auth import get_user_model
from django.test import override_settings
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED
from openedx_filters.filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted

from elearn_plugin.host import enrollment
from elearn_plugin.host.enrollment import (
    EnrollmentError,
    PlatformEnrollmentAdapter,
    get_enrollment_adapter,
)

COURSE = "course-v1:ElearnDemo+SAFE101+2026"
MISSING_COURSE = "course-v1:ElearnDemo+NOPE404+2026"
REFUSED_PREFIX = "refused-"
STEP_PATH = f"{__name__}.RefuseSomeEnrollments"

pytestmark = pytest.mark.django_db


class RefuseSomeEnrollments(PipelineStep):
    """A site's `CourseEnrollmentStarted` step: refuses learners whose name starts `refused-`."""

    seen: list[str] = []

    def run_filter(self, user, course_key, mode):  # pylint: disable=arguments-differ
        type(self).seen.append(user.username)
        if user.username.startswith(REFUSED_PREFIX):
            raise CourseEnrollmentStarted.PreventEnrollment("Not for this learner.")
        return {"user": user, "course_key": course_key, "mode": mode}


@pytest.fixture(autouse=True)
def platform():
    """The Open edX adapters, one open course, nothing else registered."""
    student.clear_courses()
    student.register_course(COURSE)
    with override_settings(ELEARN_HOST_ADAPTERS="platform", ELEARN_ENROLL_CHUNK_SIZE=100):
        yield
    student.clear_courses()


@pytest.fixture
def enroll_calls(monkeypatch):
    """Every `CourseEnrollment.enroll` call, as (username, course key, keyword arguments)."""
    calls = []
    original = CourseEnrollment.enroll

    def spy(cls, user, course_key, *args, **kwargs):
        calls.append((user.username, str(course_key), kwargs))
        return original(user, course_key, *args, **kwargs)

    monkeypatch.setattr(CourseEnrollment, "enroll", classmethod(spy))
    return calls


@pytest.fixture
def created_events():
    """Usernames in the `COURSE_ENROLLMENT_CREATED` events the platform sent."""
    sent = []

    def receiver(signal, sender, enrollment, **kwargs):
        sent.append(enrollment.user.pii.username)

    COURSE_ENROLLMENT_CREATED.connect(receiver)
    yield sent
    COURSE_ENROLLMENT_CREATED.disconnect(receiver)


def _names(make_user, *names, **kwargs):
    for name in names:
        make_user(name, **kwargs)
    return list(names)


def _active_rows(course=COURSE):
    return set(
        CourseEnrollment.objects.filter(course_id=course, is_active=True).values_list(
            "user__username", flat=True
        )
    )


def test_new_learners_are_enrolled_and_see_the_course(make_user, enroll_calls, created_events):
    # P-14: the courses HR assigns appear in the learner's dashboard, i.e. an active
    # CourseEnrollment row exists, made through the platform's own enrol path.
    names = _names(make_user, "learner01", "learner02", "learner03")
    adapter = get_enrollment_adapter()
    assert isinstance(adapter, PlatformEnrollmentAdapter)

    result = adapter.bulk_enroll(COURSE, names)

    assert result.enrolled == names
    assert result.already == result.invalid == result.failed == []
    assert result.ok
    assert _active_rows() == set(names)
    for name in names:
        user = get_user_model().objects.get(username=name)
        assert CourseEnrollment.is_enrolled(user, COURSE)
    assert set(CourseEnrollment.objects.values_list("mode", flat=True)) == {"audit"}
    # an administrative enrolment, as the platform's force_enrollment
    assert [kwargs for _name, _course, kwargs in enroll_calls] == [
        {"check_access": True, "can_upgrade": True}
    ] * 3
    assert created_events == names


def test_the_course_default_mode_is_used(make_user):
    student.register_course(COURSE, default_mode="honor")
    names = _names(make_user, "learner01")
    PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)
    assert CourseEnrollment.objects.get(user__username="learner01").mode == "honor"


def test_a_rerun_reports_already_with_two_queries_and_no_enroll_call(
    make_user, enroll_calls, created_events, django_assert_num_queries
):
    names = _names(make_user, "learner01", "learner02", "learner03")
    PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)
    enroll_calls.clear()
    created_events.clear()

    with django_assert_num_queries(2):  # one chunk: the accounts, then who is enrolled
        again = PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)

    assert again.already == names
    assert again.enrolled == again.invalid == again.failed == []
    assert enroll_calls == []
    assert created_events == []  # no enrolment-created event sent a second time
    assert CourseEnrollment.objects.count() == 3


def test_an_ended_enrolment_is_made_active_again(make_user):
    names = _names(make_user, "learner01")
    user = get_user_model().objects.get(username="learner01")
    CourseEnrollment.objects.create(user=user, course_id=COURSE, is_active=False)

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)

    assert result.enrolled == names
    assert CourseEnrollment.objects.get(user=user).is_active


def test_unknown_usernames_are_invalid(make_user, enroll_calls):
    _names(make_user, "learner01")

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["ghost", "learner01", "nobody"])

    assert result.invalid == ["ghost", "nobody"]
    assert result.enrolled == ["learner01"]
    assert not result.ok
    assert [name for name, _course, _kwargs in enroll_calls] == ["learner01"]
    assert _active_rows() == {"learner01"}


def test_a_full_course_fails_the_overflow(make_user):
    student.register_course(COURSE, max_students=3)
    early = _names(make_user, "early01")
    PlatformEnrollmentAdapter().bulk_enroll(COURSE, early)  # counts toward the limit
    names = _names(make_user, "learner01", "learner02", "learner03", "learner04")

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)

    assert result.enrolled == ["learner01", "learner02"]
    assert result.failed == ["learner03", "learner04"]
    assert not result.ok
    assert _active_rows() == {"early01", "learner01", "learner02"}
    assert not CourseEnrollment.objects.filter(user__username__in=["learner03", "learner04"])


def test_closed_enrolment_does_not_stop_an_assignment(make_user):
    # HR's assignment is administrative: the enrolment dates do not apply (can_upgrade).
    student.register_course(COURSE, enrollment_open=False)
    names = _names(make_user, "learner01")
    assert PlatformEnrollmentAdapter().bulk_enroll(COURSE, names).enrolled == names
    assert _active_rows() == {"learner01"}


def test_an_unknown_course_is_an_error_with_the_partial_result(make_user, enroll_calls):
    names = _names(make_user, "learner01", "learner02")

    with pytest.raises(EnrollmentError) as info:
        PlatformEnrollmentAdapter().bulk_enroll(MISSING_COURSE, ["ghost", *names])

    assert MISSING_COURSE in str(info.value)
    assert "learner0" not in str(info.value) and "ghost" not in str(info.value)
    assert info.value.partial.invalid == ["ghost"]
    assert info.value.partial.enrolled == []
    assert len(enroll_calls) == 1  # nothing more tried once the course is known missing
    assert not CourseEnrollment.objects.exists()


def test_an_unknown_course_keeps_earlier_chunks_in_the_partial_result(make_user):
    names = _names(make_user, "learner01", "learner02", "learner03")
    user = get_user_model().objects.get(username="learner01")
    CourseEnrollment.objects.create(user=user, course_id=MISSING_COURSE)

    with override_settings(ELEARN_ENROLL_CHUNK_SIZE=1), pytest.raises(EnrollmentError) as info:
        PlatformEnrollmentAdapter().bulk_enroll(MISSING_COURSE, names)

    assert info.value.partial.already == ["learner01"]
    assert info.value.partial.failed == info.value.partial.enrolled == []


def test_a_filter_step_that_prevents_enrolment_fails_that_learner(make_user, settings):
    filters = dict(getattr(settings, "OPEN_EDX_FILTERS_CONFIG", {}) or {})
    filters[CourseEnrollmentStarted.filter_type] = {"pipeline": [STEP_PATH], "fail_silently": False}
    settings.OPEN_EDX_FILTERS_CONFIG = filters
    RefuseSomeEnrollments.seen = []
    names = _names(make_user, "learner01", f"{REFUSED_PREFIX}learner02", "learner03")

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)

    assert RefuseSomeEnrollments.seen == names  # the step really ran, once per learner
    assert result.enrolled == ["learner01", "learner03"]
    assert result.failed == [f"{REFUSED_PREFIX}learner02"]
    assert _active_rows() == {"learner01", "learner03"}
    assert not CourseEnrollment.objects.filter(user__username__startswith=REFUSED_PREFIX)


def test_an_inactive_account_fails_without_an_enroll_call(make_user, enroll_calls):
    _names(make_user, "learner01")
    _names(make_user, "disabled01", is_active=False)

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["disabled01", "learner01"])

    assert result.failed == ["disabled01"]
    assert result.enrolled == ["learner01"]
    assert [name for name, _course, _kwargs in enroll_calls] == ["learner01"]
    assert _active_rows() == {"learner01"}


def test_chunks_add_up(make_user, monkeypatch, django_assert_max_num_queries):
    names = _names(make_user, "learner01", "learner02", "learner03", "learner04")
    PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner02"])
    chunks = []
    original = enrollment._users_by_name
    monkeypatch.setattr(
        enrollment, "_users_by_name", lambda chunk: chunks.append(list(chunk)) or original(chunk)
    )
    requested = [*names[:2], "ghost", *names[2:]]

    with override_settings(ELEARN_ENROLL_CHUNK_SIZE=2):
        result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, requested)

    assert chunks == [["learner01", "learner02"], ["ghost", "learner03"], ["learner04"]]
    assert result.enrolled == ["learner01", "learner03", "learner04"]
    assert result.already == ["learner02"]
    assert result.invalid == ["ghost"]
    assert result.failed == []
    assert _active_rows() == set(names)

    with override_settings(ELEARN_ENROLL_CHUNK_SIZE=2), django_assert_max_num_queries(2 * 3):
        again = PlatformEnrollmentAdapter().bulk_enroll(COURSE, requested)
    assert again.already == names and again.invalid == ["ghost"]


def test_a_username_the_database_matches_without_case_is_used(make_user, monkeypatch):
    # MySQL's default collation answers `username IN ('learner01')` with "Learner01".
    _names(make_user, "Learner01")
    users = get_user_model().objects

    class CaseInsensitiveUsers:
        def filter(self, username__in):
            wanted = {name.casefold() for name in username__in}
            return [user for user in users.all() if user.username.casefold() in wanted]

    class Model:
        objects = CaseInsensitiveUsers()

    monkeypatch.setattr(enrollment, "get_user_model", lambda: Model)

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01"])

    assert result.enrolled == ["learner01"]
    assert _active_rows() == {"Learner01"}


@pytest.mark.parametrize("squelch", [True, False])
def test_no_username_reaches_the_log(make_user, settings, caplog, squelch):
    # P-32: the plugin logs counts and the course key; with the LMS's production default
    # SQUELCH_PII_IN_LOGS=True the platform's own warnings name no learner either.
    settings.SQUELCH_PII_IN_LOGS = squelch
    student.register_course(COURSE, max_students=1)
    names = _names(make_user, "pii-alice", "pii-bob", "pii-carol")
    caplog.set_level(logging.DEBUG)

    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, [*names, "pii-ghost"])
    PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)
    with pytest.raises(EnrollmentError):
        PlatformEnrollmentAdapter().bulk_enroll(MISSING_COURSE, names)

    assert result.enrolled == ["pii-alice"] and result.failed == ["pii-bob", "pii-carol"]
    ours = [r for r in caplog.records if r.name.startswith("elearn_plugin")]
    assert any(COURSE in r.getMessage() and "1 new" in r.getMessage() for r in ours)
    checked = caplog.records if squelch else ours
    assert checked
    leaked = [r.getMessage() for r in checked if "pii-" in r.getMessage()]
    assert leaked == []
