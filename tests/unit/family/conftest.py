"""The family view switched on, a learner with a task, and a fresh cache (rate limits)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from elearn_plugin.courses.models import Assignment, CoursePolicy
from elearn_plugin.family import services
from elearn_plugin.privacy import notice

COURSE = "course-v1:Org+FAM101+2026"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.ELEARN_FAMILY_VIEW_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def learner(make_user):
    user = make_user(first_name="Mei", last_name="Lin")
    CoursePolicy.objects.create(course_key=COURSE, title="Road Safety", kind="required")
    Assignment.objects.create(
        user=user, course_key=COURSE, due_at=timezone.now() + timedelta(days=5), source="hr"
    )
    return user


def acknowledged(*users) -> None:
    """The privacy notice read, so the learner pages open directly."""
    for user in users:
        notice.acknowledge(user.pk, actor=user)


def issue(user, *, actor=None, days=None, now=None) -> services.Issued:
    return services.issue(user.pk, actor=actor or user, days=days, now=now)
