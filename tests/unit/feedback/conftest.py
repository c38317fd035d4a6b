"""Courses, a course team and learners for the feedback tests (P-29)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from elearn_plugin.courses import services as courses
from elearn_plugin.host.roles import FakeRolesAdapter

COURSE = "course-v1:Org+Safety+2026"
OTHER_COURSE = "course-v1:Org+Excel+2026"


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    FakeRolesAdapter.clear()
    yield
    FakeRolesAdapter.clear()
    cache.clear()


@pytest.fixture
def course_keys(db):
    for key, title in ((COURSE, "Safety"), (OTHER_COURSE, "Excel")):
        courses.save_course_policy(
            courses.CoursePolicySpec(
                course_key=key, title=title, credits=1, kind="required", origin="internal"
            )
        )
    return COURSE, OTHER_COURSE


@pytest.fixture
def team_member(make_user, course_keys):
    """Staff of COURSE in the host (the fake roles adapter), and nothing else."""
    user = make_user("teacher")
    FakeRolesAdapter.grant(user.pk, COURSE)
    return user
