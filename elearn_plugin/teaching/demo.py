"""The demo's instructor archive (P-27, P-30): the demo's classroom sessions and courses as
sessions taught, the lecturer of the bought ethics course named by HR, and a few ratings by
learners who attended or completed, so HR's pages show learners' and imported ratings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from elearn_plugin.audit import acting_as
from elearn_plugin.courses.models import CourseCompletion
from elearn_plugin.teaching import services
from elearn_plugin.teaching.models import Instructor, SessionRating, TeachingSession

ETHICS = "course-v1:ElearnDemo+ETH201+2026"
SAFETY = "course-v1:ElearnDemo+SAFE101+2026"
# Online courses and who HR names as their lecturer (the bought ethics course's lecturer has
# no account; the safety course is taught online by the fire drill's instructor too).
LECTURERS = [(ETHICS, "周敏 Zhou Min"), (SAFETY, "钱进 Qian Jin")]
# (session key or course key, username, score, comment)
RATINGS = [
    ("demo-2026-02-infosec-talk", "learner02", 5, "讲得很清楚 Very clear, good examples"),
    ("demo-2026-02-infosec-talk", "learner08", 4, ""),
    ("demo-2026-02-infosec-talk", "learner14", 3, "A bit fast"),
    ("demo-2026-03-fire-drill", "learner03", 5, ""),
    ("demo-2026-03-fire-drill", "learner04", 4, "实用 Practical"),
    ("demo-2026-03-fire-drill", "learner09", 5, ""),
    ("demo-2026-03-fire-drill", "learner10", 4, ""),
    ("demo-2026-03-fire-drill", "learner15", 3, "Too long"),
    (ETHICS, "learner01", 4, ""),
    (ETHICS, "learner02", 5, ""),
    (ETHICS, "learner04", 3, "视频偏长 Videos too long"),
    (SAFETY, "learner04", 5, ""),
    (SAFETY, "learner08", 4, "Good checklists"),
    (SAFETY, "learner12", 4, ""),
    (SAFETY, "learner16", 2, "太基础 Too basic"),
]


def _session(key: str) -> TeachingSession | None:
    if key.startswith("course-v1:"):
        return TeachingSession.objects.filter(key=f"course:{key}").first()
    return TeachingSession.objects.filter(classroom__session_key=key).first()


def seed_demo(now: datetime) -> list[str]:
    """Sync the sessions taught and add the demo's ratings; the lines to print."""
    with acting_as("command:elearn_demo"):
        services.sync_sessions()
        for course_key, name in LECTURERS:
            if TeachingSession.objects.filter(key=f"course:{course_key}").exists():
                services.name_instructor(course_key, name)
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in={r[1] for r in RATINGS})
    }
    completions = {
        (uid, key): at
        for uid, key, at in CourseCompletion.objects.filter(user__in=users.values()).values_list(
            "user_id", "course_key", "completed_at"
        )
    }
    for key, username, score, comment in RATINGS:
        session, user = _session(key), users.get(username)
        if session is None or user is None:
            continue
        done = completions.get((user.pk, session.course_key))
        when = min((done or session.started_at) + timedelta(hours=3), now)
        try:
            services.rate_session(user, session.pk, score, comment, now=when)
        except services.TeachingError:
            continue  # the demo file changed: that learner did not attend or complete
    return [
        f"  Instructors:    {Instructor.objects.count()}, "
        f"{SessionRating.objects.count()} learners' ratings (/elearn/teaching/instructors/)"
    ]
