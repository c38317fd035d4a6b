"""Fixtures of the tracked-video tests: a video, a learner and a frozen clock off working hours."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from elearn_plugin.host.access import FakeAccessAdapter
from elearn_plugin.host.completion import get_completion_adapter
from elearn_plugin.video.services import ClientInfo, VideoSpec

# Sunday 2026-01-11 20:00 in Asia/Shanghai: outside working hours.
SUNDAY_EVENING = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
# Tuesday 2026-01-06 10:00 in Asia/Shanghai: working time, no learning window.
TUESDAY_MORNING = datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
COURSE = "course-v1:Org+C1+2026"
BLOCK = "block-v1:Org+C1+2026+type@elearn_video+block@intro"
OTHER_BLOCK = "block-v1:Org+C1+2026+type@elearn_video+block@second"
OFFICE = ClientInfo(ip="10.0.0.1", user_agent="Office browser", browser_key="office-session")
PHONE = ClientInfo(ip="10.9.9.9", user_agent="Phone browser", browser_key="phone-session")


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    get_completion_adapter().clear()
    FakeAccessAdapter.clear()
    yield
    cache.clear()
    FakeAccessAdapter.clear()


@pytest.fixture
def spec() -> VideoSpec:
    return VideoSpec(block_key=BLOCK, course_key=COURSE, duration=60.0, max_rate=1.0, title="Intro")


@pytest.fixture
def learner(make_user):
    return make_user()


def enrol(user, course_key: str = COURSE):
    """Enrol a learner in a course of the fake host (`host.access`)."""
    FakeAccessAdapter.enrol(user.pk, course_key)
    return user


def later(when: datetime, seconds: float) -> datetime:
    return when + timedelta(seconds=seconds)
