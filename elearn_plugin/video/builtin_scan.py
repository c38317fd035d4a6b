"""Built-in `video` blocks in required courses: found, and kept as the current list (P-17).

A built-in video cannot prove that it was watched, so the course team must replace it with a
tracked video; the findings are what `elearn_check_builtin_videos` and the Studio rescan
(`course_scan`) keep up to date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.video.models import BuiltinVideoFinding


def scan_builtin_videos(course_keys: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Find built-in `video` blocks in required courses and keep the list current.

    They cannot prove P-17, so the course team must replace them with tracked videos.
    """
    from elearn_plugin.courses.models import CourseKind, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.structure import get_structure_adapter  # noqa: PLC0415

    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED)
    if course_keys is not None:
        required = required.filter(course_key__in=list(course_keys))
    keys = list(required.values_list("course_key", flat=True))
    adapter = get_structure_adapter()
    found: dict[str, list[str]] = {}
    with transaction.atomic():
        for course_key in keys:
            blocks = adapter.blocks_of_type(course_key, "video")
            replace_builtin_findings(course_key, blocks)
            if blocks:
                found[course_key] = blocks
    return found


def replace_builtin_findings(course_key: str, blocks: Sequence[str]) -> None:
    """Make the stored findings of one required course exactly `blocks` (P-17).

    Runs as the scan's principal (the rescan task, the check command); a change of the set
    is audited with how many built-in videos the course now has.
    """
    with transaction.atomic():
        stored = set(
            BuiltinVideoFinding.objects.filter(course_key=course_key).values_list(
                "block_key", flat=True
            )
        )
        if stored == set(blocks):
            return
        BuiltinVideoFinding.objects.filter(course_key=course_key).exclude(
            block_key__in=list(blocks)
        ).delete()
        BuiltinVideoFinding.objects.bulk_create(
            [BuiltinVideoFinding(course_key=course_key, block_key=b) for b in blocks],
            ignore_conflicts=True,
        )
        audit.record(
            None,
            "builtin_videos.found",
            f"course_overviews.courseoverview:{course_key}",  # the host's course
            {"course_key": course_key, "count": len(set(blocks))},
        )
