"""Mirrors openedx-platform `common/djangoapps/student/models/course_enrollment.py` (`is_enrolled`).

The Open edX access adapter (`ELEARN_HOST_ADAPTERS="platform"`) against the stand-in of that
module in `tests/host/platform/`: a watch session is issued only to a learner the platform's
`CourseEnrollment.is_enrolled(user, course_key)` (a classmethod taking a `CourseKey`) says is
enrolled, or to staff. `CourseAccessRole` has no stand-in: the course-staff branch is played
by replacing the roles adapter's answer.
"""

import json

import pytest
from common.djangoapps.student import models as student
from common.djangoapps.student.models import CourseEnrollment
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host import access, roles
from elearn_plugin.video import services
from elearn_plugin.video.models import WatchSession

COURSE = "course-v1:ElearnDemo+SAFE101+2026"
BLOCK = "block-v1:ElearnDemo+SAFE101+2026+type@elearn_video+block@intro"
# Sunday 2026-01-11 20:00 in Asia/Shanghai: outside working hours.
SUNDAY_EVENING = "2026-01-11 12:00:00+00:00"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def platform(monkeypatch):
    """The Open edX adapters, one open course, no course roles."""
    student.clear_courses()
    student.register_course(COURSE)
    monkeypatch.setattr(roles.PlatformRolesAdapter, "course_staff", lambda self, user: set())
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        yield
    student.clear_courses()


@pytest.fixture
def is_enrolled_calls(monkeypatch):
    """The arguments of every `CourseEnrollment.is_enrolled` call."""
    calls = []
    original = CourseEnrollment.is_enrolled

    def spy(cls, user, course_key):
        calls.append(course_key)
        return original(user, course_key)

    monkeypatch.setattr(CourseEnrollment, "is_enrolled", classmethod(spy))
    return calls


# P-31: access is the platform's enrolment, asked with a CourseKey
def test_enrolled_learner_has_access(make_user, is_enrolled_calls):
    learner, stranger = make_user(), make_user()
    CourseEnrollment.enroll(learner, CourseKey.from_string(COURSE))
    assert isinstance(access.get_access_adapter(), access.PlatformAccessAdapter)
    assert access.has_course_access(learner, COURSE) is True
    assert access.has_course_access(stranger, COURSE) is False
    assert is_enrolled_calls and all(isinstance(k, CourseKey) for k in is_enrolled_calls)
    assert str(is_enrolled_calls[0]) == COURSE


# P-31: an unenrolment (inactive row) ends the access
def test_inactive_enrolment_has_no_access(make_user):
    learner = make_user()
    CourseEnrollment.enroll(learner, CourseKey.from_string(COURSE))
    CourseEnrollment.objects.filter(user=learner).update(is_active=False)
    assert access.has_course_access(learner, COURSE) is False


# P-31: staff and course staff enter without an enrolment; inactive accounts never
def test_staff_and_course_staff_have_access(make_user, monkeypatch):
    staff, author = make_user(is_staff=True), make_user()
    assert access.has_course_access(staff, COURSE) is True
    monkeypatch.setattr(
        roles.PlatformRolesAdapter,
        "course_staff",
        lambda self, user: {COURSE} if user.pk == author.pk else set(),
    )
    assert access.has_course_access(author, COURSE) is True
    gone = make_user(is_staff=True, is_active=False)
    assert access.has_course_access(gone, COURSE) is False


# P-31: a library (no enrolment) is for staff only; a garbage key for nobody but staff
def test_library_context_is_for_staff_only(make_user):
    learner = make_user()
    assert access.has_course_access(learner, "lib:ElearnDemo:safety") is False
    assert access.has_course_access(make_user(is_staff=True), "lib:ElearnDemo:safety") is True
    assert access.has_course_access(learner, "not a key") is False


# P-17, P-31: through the session endpoint as the LMS mounts it: 403 until enrolled
def test_session_endpoint_follows_the_platforms_enrolment(client, make_user):
    learner = make_user()
    services.register_video(services.VideoSpec(BLOCK, COURSE, 60.0))
    client.force_login(learner)
    url = reverse("elearn:video-session")
    body = json.dumps({"block_key": BLOCK})
    with freeze_time(SUNDAY_EVENING):
        refused = client.post(url, body, content_type="application/json")
        assert refused.status_code == 403 and refused.json()["code"] == "no_course_access"
        assert not WatchSession.objects.exists()
        CourseEnrollment.enroll(learner, CourseKey.from_string(COURSE))
        issued = client.post(url, body, content_type="application/json")
    assert issued.status_code == 201 and issued.json()["token"]
