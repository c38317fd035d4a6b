"""The record of a course (P-11): who opened it, who runs it, and who reviewed each version.

Read from the audit trail (the course policy's first save), the host's course roles and the
review items of the course; nothing here writes.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from elearn_plugin.audit import target_of
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.host.roles import course_team
from elearn_plugin.review.models import ReviewItem

LISTED = 50


def course_record(policy) -> dict:
    """The template context of the record of `policy`'s course."""
    opened = (
        AuditEvent.objects.filter(target=target_of(policy), verb="course_policy.saved")
        .order_by("occurred_at", "pk")
        .first()
    )
    team = course_team(policy.course_key)
    reviews = list(
        ReviewItem.objects.filter(course_key=policy.course_key).order_by("-created_at")[:LISTED]
    )
    ids = {uid for uid, _role in team}
    ids |= {r.submitted_by_id for r in reviews} | {r.reviewer_id for r in reviews if r.reviewer_id}
    if opened and opened.actor_user_id:
        ids.add(opened.actor_user_id)
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return {
        "opened_by": (names.get(opened.actor_user_id) or opened.actor_system) if opened else "",
        "opened_at": opened.occurred_at if opened else None,
        "team": [(names.get(uid, uid), role) for uid, role in team],
        "reviews": [
            {
                "title": r.title or r.target_key,
                "fingerprint": r.fingerprint,
                "state": r.get_state_display(),
                "submitted_by": names.get(r.submitted_by_id, r.submitted_by_id),
                "reviewer": names.get(r.reviewer_id, "") if r.reviewer_id else "",
                "decided_at": r.decided_at,
            }
            for r in reviews
        ],
        "origin": policy.get_origin_display(),
    }
