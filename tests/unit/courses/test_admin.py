"""Admin pages of courses: policies are edited through the service, history is read-only."""

from decimal import Decimal

import pytest

from elearn_plugin.courses.models import CoursePolicy


@pytest.fixture
def hr_client(client, make_user):
    hr = make_user("hr-admin", is_staff=True, is_superuser=True)
    client.force_login(hr)
    return client


@pytest.mark.django_db
def test_hr_adds_a_course_policy(hr_client):
    response = hr_client.post(
        "/admin/elearn_plugin/coursepolicy/add/",
        {
            "course_key": "course-v1:ElearnDemo+SAFE101+2026",
            "title": "Safety",
            "credits": "2.5",
            "kind": "required",
            "origin": "internal",
        },
    )
    assert response.status_code == 302
    assert CoursePolicy.objects.get().credits == Decimal("2.50")


@pytest.mark.django_db
def test_admin_refuses_a_bad_course_key(hr_client):
    response = hr_client.post(
        "/admin/elearn_plugin/coursepolicy/add/",
        {
            "course_key": "SAFE101",
            "title": "x",
            "credits": "1",
            "kind": "required",
            "origin": "internal",
        },
    )
    assert response.status_code == 200
    assert "is not a course key" in response.content.decode()
    assert not CoursePolicy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["assignment", "coursecompletion"])
def test_assignments_and_completions_cannot_be_added_by_hand(hr_client, model):
    assert hr_client.get(f"/admin/elearn_plugin/{model}/").status_code == 200
    assert hr_client.get(f"/admin/elearn_plugin/{model}/add/").status_code == 403
