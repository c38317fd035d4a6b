"""Course roles read from the host as the platform stores them (P-9, P-11, P-31).

Mirrors openedx-platform `common/djangoapps/student/models/user.py` (`CourseAccessRole`: a
user, an org, a `CourseKeyField` course id — blank for an org-wide role — and a role name;
"staff" and "instructor" are the course team) through the stand-in in
`tests/host/platform/common/djangoapps/student/models.py`, read by the plugin's
`host.roles.PlatformRolesAdapter`: who is on a course's team (the course record, the
external-course check) and which courses a user runs (the approval gate's preview).
"""

import pytest
from common.djangoapps.student.models import CourseAccessRole
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.roles import PlatformRolesAdapter

pytestmark = pytest.mark.django_db
SAFETY, OTHER = "course-v1:Org+Safety+2026", "course-v1:Org+Other+2026"


def _role(user, role, course="", org="Org"):
    return CourseAccessRole.objects.create(
        user=user, role=role, org=org, course_id=CourseKey.from_string(course) if course else None
    )


def test_the_course_team_is_its_staff_and_instructors(make_user):
    author, lead, tester, elsewhere = (make_user(n) for n in ("author", "lead", "tester", "x"))
    _role(author, "staff", SAFETY)
    _role(lead, "instructor", SAFETY)
    _role(tester, "beta_testers", SAFETY)  # a role, but not the course team
    _role(elsewhere, "staff", OTHER)
    _role(elsewhere, "staff")  # org-wide, no course
    adapter = PlatformRolesAdapter()
    assert adapter.team_of(SAFETY) == sorted([(author.pk, "staff"), (lead.pk, "instructor")])
    assert adapter.team_of("not a course key") == []
    assert adapter.course_staff(author) == {SAFETY}
    assert adapter.course_staff(tester) == set()
    assert adapter.course_staff(elsewhere) == {OTHER}
