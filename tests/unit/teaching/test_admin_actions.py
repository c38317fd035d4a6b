"""HR links an instructor to their account and names instructors for an online course from
the instructor list (P-27); a wrong account or course changes nothing."""

from django.urls import reverse

from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.teaching.models import Instructor, TaughtBy
from tests.unit.teaching.conftest import COURSE, classroom, course

LIST = reverse("admin:elearn_plugin_instructor_changelist")


def _post(client, action, instructors, **fields):
    data = {"action": action, "_selected_action": [i.pk for i in instructors], "apply": "1"}
    return client.post(LIST, {**data, **fields}, follow=True)


def test_hr_links_an_instructor_by_employee_id(client, make_user):  # P-27
    classroom("Sun Li", [make_user()])
    sun = Instructor.objects.get()
    teacher, hr = make_user(), make_user(is_staff=True)
    unit, _ = org.create_unit("t", "T", actor=hr)
    Person.objects.create(user=teacher, employee_id="T-7", name="Sun Li", unit=unit)
    client.force_login(hr)
    form = client.post(LIST, {"action": "link_account", "_selected_action": [sun.pk]})
    assert "Account (username or employee ID)" in form.content.decode()
    unknown = _post(client, "link_account", [sun], account="nobody")
    assert "No account has this username" in unknown.content.decode()
    sun.refresh_from_db()
    assert sun.user_id is None
    done = _post(client, "link_account", [sun], account="T-7")
    assert "is linked to the account" in done.content.decode()
    sun.refresh_from_db()
    assert sun.user_id == teacher.pk


def test_hr_names_instructors_for_a_course(client, make_user):  # P-27
    course()
    classroom("Sun Li", [make_user()])
    classroom("Wu Fei", [make_user()])
    both = list(Instructor.objects.order_by("name"))
    client.force_login(make_user(is_staff=True))
    done = _post(client, "name_for_course", both, course_key=COURSE)
    assert "2 instructors named" in done.content.decode()
    assert TaughtBy.objects.filter(session__key=f"course:{COURSE}").count() == 2
    refused = _post(client, "name_for_course", both, course_key="course-v1:No+Such+1")
    assert TaughtBy.objects.filter(session__key=f"course:{COURSE}").count() == 2
    assert refused.status_code == 200


def test_a_learner_cannot_reach_the_actions(client, make_user):
    client.force_login(make_user())
    assert client.post(LIST, {"action": "link_account"}).status_code in (302, 403)
