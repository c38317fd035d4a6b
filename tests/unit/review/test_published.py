"""Each publish of an internal course records the units it put before learners without
review, and the health report names the course (P-10, P-11)."""

import pytest

from elearn_plugin.courses import services as courses
from elearn_plugin.host.structure import get_structure_adapter
from elearn_plugin.review.jobs import ungated_content
from elearn_plugin.review.models import UngatedUnit
from elearn_plugin.video.course_scan import rescan_course

INTERNAL, EXTERNAL = "course-v1:Org+In+2026", "course-v1:Org+Ext+2026"
UNIT = "block-v1:Org+In+2026+type@vertical+block@u1"


@pytest.fixture
def adapter():
    structure = get_structure_adapter()
    yield structure
    structure.clear()


def _policy(course_key, origin, actor):
    courses.save_course_policy(
        courses.CoursePolicySpec(
            course_key=course_key, title="C", credits=1, kind="elective", origin=origin
        ),
        actor=actor,
    )


def test_an_internal_course_published_outside_gates_is_reported(adapter, make_user):  # P-11
    hr = make_user(is_staff=True)
    _policy(INTERNAL, "internal", hr)
    _policy(EXTERNAL, "external", hr)
    adapter.register_ungated(INTERNAL, [UNIT])
    adapter.register_ungated(EXTERNAL, ["block-v1:Org+Ext+2026+type@vertical+block@x"])
    rescan_course(INTERNAL)
    rescan_course(EXTERNAL)  # P-9: outside review
    assert list(UngatedUnit.objects.values_list("course_key", "unit_key")) == [(INTERNAL, UNIT)]
    assert ungated_content(None) == [f"ungated_content:{INTERNAL}"]
    rescan_course(INTERNAL)  # a re-run changes nothing
    assert UngatedUnit.objects.count() == 1
    adapter.register_ungated(INTERNAL, [])  # the author wrapped the unit in a gate
    rescan_course(INTERNAL)
    assert not UngatedUnit.objects.exists() and ungated_content(None) == []
