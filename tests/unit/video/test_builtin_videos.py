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
from elearn_plugin.video.models import BuiltinVideoFinding

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


# P-17: Studio publishing a built-in video in a required course lists it
def test_studio_receiver(courses):
    receivers.builtin_video_published(
        xblock_info=XBlockData(usage_key=UsageKey.from_string(VIDEO), block_type="video")
    )
    assert BuiltinVideoFinding.objects.filter(block_key=VIDEO).exists()
    receivers.builtin_video_published(xblock_info=None)
    receivers.builtin_video_published(
        xblock_info=XBlockData(
            usage_key=UsageKey.from_string("block-v1:Org+Req+2026+type@html+block@h"),
            block_type="html",
        )
    )
    assert BuiltinVideoFinding.objects.count() == 1
    assert any(r[0] == "builtin_video_published" for r in receivers.RECEIVERS)
