"""What each publish of an internal course put before learners without review (P-10, P-11).

Studio publishes without asking and no filter can veto it; the rescan that follows every
publish (`video.course_scan`) records the course's units holding content outside an
`elearn_approval` gate, replacing what the previous publish left. The health report names
such a course (`ungated_content:<course key>`, `review.jobs`) until its content is wrapped
in gates.
"""

from __future__ import annotations

from django.utils import timezone

from elearn_plugin.review.models import UngatedUnit

MAX_RECORDED = 500


def record_ungated(course_key: str, unit_keys: list[str]) -> int:
    """Replace the course's record with `unit_keys` (in the caller's transaction)."""
    keep = sorted(set(unit_keys))[:MAX_RECORDED]
    UngatedUnit.objects.filter(course_key=course_key).exclude(unit_key__in=keep).delete()
    known = set(
        UngatedUnit.objects.filter(course_key=course_key).values_list("unit_key", flat=True)
    )
    now = timezone.now()
    UngatedUnit.objects.bulk_create(
        [
            UngatedUnit(course_key=course_key, unit_key=k, found_at=now)
            for k in keep
            if k not in known
        ]
    )
    return len(keep)
