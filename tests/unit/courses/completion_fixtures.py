"""Fixtures of the course-completion tests: a followed course with two tracked videos on the
fake host, learners, and helpers recording what the host and the player would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from elearn_plugin.audit import acting_as
from elearn_plugin.courses import services
from elearn_plugin.courses.passing import record_passing_status
from elearn_plugin.host import grades, structure, visibility
from elearn_plugin.policy.runtime import reset_policy_cache
from elearn_plugin.video.models import VideoCompletion
from tests.unit.policy.helpers import variant

COURSE = "course-v1:Org+SAFE101+2026"
OTHER_COURSE = "course-v1:Org+ETH201+2026"
V1 = "block-v1:Org+SAFE101+2026+type@elearn_video+block@intro"
V2 = "block-v1:Org+SAFE101+2026+type@elearn_video+block@hazards"
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CREDITS = Decimal("2.00")
# The default policy's completion choices, as written in default.yaml.
DEFAULT_CHOICES = ("  without_tracked_videos: not_countable", "  builtin_videos: not_countable")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def fakes():
    """The fake host's structure, visibility and grades, emptied before and after."""
    for fake in (structure._FAKE, visibility._FAKE, grades._FAKE):
        fake.clear()
    yield {"structure": structure._FAKE, "visibility": visibility._FAKE, "grades": grades._FAKE}
    for fake in (structure._FAKE, visibility._FAKE, grades._FAKE):
        fake.clear()


@pytest.fixture
def course(db, fakes):
    """A required course worth 2 credits, with two published tracked videos."""
    with acting_as("system:tests"):
        services.save_course_policy(
            services.CoursePolicySpec(COURSE, "Safety", CREDITS, "required", "internal")
        )
    fakes["structure"].register(COURSE, structure.TRACKED_VIDEO_TYPE, [V1, V2])
    return COURSE


@pytest.fixture
def choices(settings, tmp_path):
    """`choices(without_tracked_videos, builtin_videos)`: a policy file with those values."""

    def _use(without: str = "not_countable", builtin: str = "not_countable") -> None:
        text = variant(
            (DEFAULT_CHOICES[0], f"  without_tracked_videos: {without} "),
            (DEFAULT_CHOICES[1], f"  builtin_videos: {builtin} "),
        )
        path = tmp_path / f"policy-{without}-{builtin}.yaml"
        path.write_text(text, encoding="utf-8")
        settings.ELEARN_POLICY_FILE = str(path)
        reset_policy_cache()

    yield _use
    reset_policy_cache()


def watch(user, block_key: str, when: datetime, course_key: str = COURSE) -> VideoCompletion:
    """The verified completion the report path writes when a video was watched to the end."""
    return VideoCompletion.objects.create(
        user_id=user.pk,
        course_key=course_key,
        block_key=block_key,
        watched_seconds=60.0,
        wall_seconds=61.0,
        first_watched_at=when - timedelta(minutes=1),
        last_watched_at=when,
        completed_at=when,
    )


def passes(user, when: datetime, *, passing: bool = True, course_key: str = COURSE) -> bool:
    """What a passing-status event records."""
    with acting_as("receiver:course_passing_status_updated"):
        return record_passing_status(user.pk, course_key, passing, when)
