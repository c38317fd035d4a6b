"""The review domain's health: external courses are HR's alone (P-9), and internal courses
show nothing unreviewed (P-10, P-11: `ungated_content`, recorded by `review.published`).

External courses are bought by HR and maintained by HR, outside review; anyone else in
their course team (the host's staff and instructor roles) is reported, per course, as
`external_course_team:<course key>` in the health report until HR removes them in Studio.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.tick.registry import register_health_problems

MAX_REPORTED = 20


@register_health_problems
def external_course_teams(now: datetime) -> list[str]:
    """External courses whose course team holds someone who is not HR."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from elearn_plugin.courses.models import CourseOrigin, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.roles import course_team  # noqa: PLC0415
    from elearn_plugin.permissions.roles import roles_of  # noqa: PLC0415
    from elearn_plugin.permissions.rules import Role  # noqa: PLC0415

    problems = []
    courses = CoursePolicy.objects.filter(origin=CourseOrigin.EXTERNAL).order_by("course_key")
    for course_key in courses.values_list("course_key", flat=True)[:500]:
        members = {uid for uid, _role in course_team(course_key)}
        if not members:
            continue
        users = get_user_model().objects.filter(pk__in=members)
        if any(Role.HR not in roles_of(user) for user in users):
            problems.append(f"external_course_team:{course_key}")
        if len(problems) >= MAX_REPORTED:
            break
    return problems


@register_health_problems
def ungated_content(now: datetime) -> list[str]:
    """Internal courses with published content outside an approval gate."""
    from elearn_plugin.courses.models import CourseOrigin, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.review.models import UngatedUnit  # noqa: PLC0415

    internal = CoursePolicy.objects.filter(origin=CourseOrigin.INTERNAL).values("course_key")
    courses = (
        UngatedUnit.objects.filter(course_key__in=internal)
        .order_by("course_key")
        .values_list("course_key", flat=True)
        .distinct()[:MAX_REPORTED]
    )
    return [f"ungated_content:{key}" for key in courses]
