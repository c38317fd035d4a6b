"""Built-in `video` blocks in required courses cannot prove P-17: the check lists them."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from opaque_keys.edx.keys import UsageKey
from openedx_events.content_authoring.data import XBlockData

from elearn_plugin.courses.services import CoursePolicySpec, save_course_policy
from elearn_plugin.host import receivers
from elearn_plugin.host.structure import get_structure_adapter
from elearn_plugin.video.models import BuiltinVideoFinding, TrackedVideo

REQUIRED = "course-v1:Org+Req+2026"
ELECTIVE = "course-v1:Org+Elec+2026"
VIDEO = "block-v1:Org+Req+2026+type@video+block@old"


@pytest.fixture
def courses(db):
    adapter = get_structure_adapter()
    adapter.clear()
    save_course_policy(CoursePolicySpec(REQUIRED, "Req", Decimal("1"), "required", "internal"))
    save_course_policy(CoursePolicySpec(ELECTIVE, "Elec", Decimal("1"), "elective", "internal"))
    adapter.register(REQUIRED, "video", [VIDEO])
    adapter.register(ELECTIVE, "video", ["block-v1:Org+Elec+2026+type@video+block@x"])
    yield adapter
    adapter.clear()


# P-17
def test_command_lists_builtin_videos_of_required_courses_and_fails(courses):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("elearn_check_builtin_videos", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == f"{REQUIRED}\t{VIDEO}"
    assert list(BuiltinVideoFinding.objects.values_list("block_key", flat=True)) == [VIDEO]
    # Running twice changes nothing; --no-fail exits 0.
    call_command("elearn_check_builtin_videos", "--no-fail", stdout=StringIO(), stderr=StringIO())
    assert BuiltinVideoFinding.objects.count() == 1


# P-17: a replaced video disappears from the list
def test_replaced_video_is_dropped(courses):
    call_command("elearn_check_builtin_videos", "--no-fail", stdout=StringIO(), stderr=StringIO())
    courses.clear()
    call_command("elearn_check_builtin_videos", stdout=StringIO(), stderr=StringIO())
    assert not BuiltinVideoFinding.objects.exists()


# P-17: a bad course key is a clear error
def test_command_bad_course_key(courses):
    with pytest.raises(CommandError, match="not-a-key") as refused:
        call_command(
            "elearn_check_builtin_videos",
            "not-a-key",
            "--no-fail",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert refused.value.returncode == 2
    assert not BuiltinVideoFinding.objects.exists()


# P-17: Studio publishing a unit of a required course lists its built-in videos, after the
# commit, through the rescan task (the Studio harness, tests/host/cms, sends the real signals).
def test_studio_receiver_schedules_the_rescan(
    courses, monkeypatch, django_capture_on_commit_callbacks
):
    from elearn_plugin.tasks import courses as course_tasks

    ran = []

    def delay(course_key):
        ran.append(course_key)
        return course_tasks.rescan_course.apply(args=[course_key])

    monkeypatch.setattr(course_tasks.rescan_course, "delay", delay)
    unit = UsageKey.from_string("block-v1:Org+Req+2026+type@vertical+block@u1")
    with django_capture_on_commit_callbacks(execute=True):
        receivers.xblock_published(xblock_info=XBlockData(usage_key=unit, block_type="vertical"))
        assert not BuiltinVideoFinding.objects.exists()
    assert ran == [REQUIRED]
    assert list(BuiltinVideoFinding.objects.values_list("block_key", flat=True)) == [VIDEO]
    with django_capture_on_commit_callbacks(execute=True):
        receivers.xblock_published(xblock_info=None)
        receivers.course_published(course_key=None)
    assert ran == [REQUIRED]
    studio = [r[0] for r in receivers.RECEIVERS if "cms.djangoapp" in r[2]]
    assert studio == ["xblock_published", "course_published"]


# P-17: the rescan of one course records its tracked videos' authored facts (fake adapter).
def test_rescan_records_tracked_videos(courses):
    from elearn_plugin.video.course_scan import rescan_course

    tracked = "block-v1:Org+Req+2026+type@elearn_video+block@t1"
    courses.register_tracked_video(
        REQUIRED, tracked, duration=90.0, max_playback_rate=3.0, display_name="Intro"
    )
    courses.register_tracked_video(
        REQUIRED, "block-v1:Org+Req+2026+type@elearn_video+block@bad", duration=0.0
    )
    result = rescan_course(REQUIRED)
    assert result.as_dict() == {
        "course_key": REQUIRED,
        "required": True,
        "builtin_videos": [VIDEO],
        "tracked_created": 1,
        "tracked_updated": 0,
        "tracked_skipped": ["block-v1:Org+Req+2026+type@elearn_video+block@bad"],
    }
    video = TrackedVideo.objects.get()
    # The block serves at most 2.0 whatever is authored; the rescan stores the same.
    assert (video.block_key, video.duration, video.max_rate, video.title) == (
        tracked,
        90.0,
        2.0,
        "Intro",
    )
    with pytest.raises(ValueError):
        rescan_course("library-v1:Org+Lib")
