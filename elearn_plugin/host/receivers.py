"""Receivers of host signals, wired by dotted path through `plugin_app["signals_config"]`.

Each entry names a receiver function in this module, the dotted path of the signal and the
projects it applies to. A signal that lives in the platform's own code (the modulestore's
signals in `xmodule...`, retirement signals in `openedx.core...`) is listed only when that
top-level package exists, so the standalone site and the test suite load the same
configuration without the platform.

Studio publishes: `XBLOCK_PUBLISHED` (openedx-events) names the published parent (a unit, a
section), once per publish, sent synchronously right after the store's publish; the
modulestore's own `course_published` fires on every publish path (imports, auto-publish,
force publish) once per bulk operation, for courses and v1 libraries alike. Both only
schedule a rescan of the course, after the transaction commits and once per course while
one is waiting (`elearn_plugin.tasks.courses`). They never raise into Studio.

LMS learning events (openedx-platform `lms/djangoapps/grades/events.py`): every course-grade
update sends `COURSE_PASSING_STATUS_UPDATED` (`CoursePassingStatusData(is_passing, course=
CourseData(course_key), user=UserData(id, ...))`), or `CCX_COURSE_PASSING_STATUS_UPDATED`
(`CcxCoursePassingStatusData`, `course=CcxCourseData(ccx_course_key, master_course_key)`) when
the course key is a CCX's, passing or not, again at each update. The receivers record the
learner's passing state (a repeat changes nothing) and, when it became passing, evaluate the
course's completion after commit. `COURSE_ENROLLMENT_CREATED` confirms an assignment's
enrolment. They never raise into the platform: bad payloads are logged (keys and type names
only, no personal data) and change nothing.
"""

import logging
from datetime import datetime
from importlib.util import find_spec

from django.utils import timezone

# Account retirement (openedx-platform `openedx/core/djangoapps/user_api/accounts/signals.py`):
# the receivers live in `host.retirement`; `RELATIVE_PATH` names this module.
from elearn_plugin.host.retirement import (
    USER_RETIRE_LMS_CRITICAL_PATH,
    USER_RETIRE_MAILINGS_PATH,
    retire_lms_critical,  # noqa: F401  (named in RECEIVERS, found here by the host)
    retire_mailings,  # noqa: F401
)

log = logging.getLogger(__name__)

# The plugin's own lifecycle signals (P-6, P-7): `elearn_plugin.lifecycle.signals`.
_LIFECYCLE = "elearn_plugin.lifecycle.signals"
TRANSFERRED_PATH = f"{_LIFECYCLE}.employee_transferred"
DEPARTED_PATH = f"{_LIFECYCLE}.employee_departed"
REHIRED_PATH = f"{_LIFECYCLE}.employee_rehired"

# The modulestore exports each `SignalHandler` signal under its upper-case name as well
# (`COURSE_PUBLISHED is SignalHandler.course_published`); a dotted path through the class
# (`...django.SignalHandler.course_published`) cannot be imported by `import_string`.
COURSE_PUBLISHED_PATH = "xmodule.modulestore.django.COURSE_PUBLISHED"
XBLOCK_PUBLISHED_PATH = "openedx_events.content_authoring.signals.XBLOCK_PUBLISHED"
_LEARNING = "openedx_events.learning.signals"
COURSE_PASSING_PATH = f"{_LEARNING}.COURSE_PASSING_STATUS_UPDATED"
CCX_COURSE_PASSING_PATH = f"{_LEARNING}.CCX_COURSE_PASSING_STATUS_UPDATED"
COURSE_ENROLLMENT_CREATED_PATH = f"{_LEARNING}.COURSE_ENROLLMENT_CREATED"
SESSION_LOGIN_COMPLETED_PATH = f"{_LEARNING}.SESSION_LOGIN_COMPLETED"

# (receiver function name, signal dotted path, projects)
RECEIVERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("xblock_published", XBLOCK_PUBLISHED_PATH, ("cms.djangoapp",)),
    ("course_published", COURSE_PUBLISHED_PATH, ("cms.djangoapp",)),
    ("course_passing_status_updated", COURSE_PASSING_PATH, ("lms.djangoapp",)),
    ("ccx_course_passing_status_updated", CCX_COURSE_PASSING_PATH, ("lms.djangoapp",)),
    ("course_enrollment_created", COURSE_ENROLLMENT_CREATED_PATH, ("lms.djangoapp",)),
    ("session_login_completed", SESSION_LOGIN_COMPLETED_PATH, ("lms.djangoapp",)),
    ("retire_lms_critical", USER_RETIRE_LMS_CRITICAL_PATH, ("lms.djangoapp",)),
    ("retire_mailings", USER_RETIRE_MAILINGS_PATH, ("lms.djangoapp",)),
    ("lifecycle_changed", TRANSFERRED_PATH, ("lms.djangoapp",)),
    ("lifecycle_changed", DEPARTED_PATH, ("lms.djangoapp",)),
    ("lifecycle_changed", REHIRED_PATH, ("lms.djangoapp",)),
]


def _importable(dotted: str) -> bool:
    return find_spec(dotted.split(".", 1)[0]) is not None


def receivers_for(project: str) -> list[dict]:
    """The `receivers` list of signals_config for one project type."""
    return [
        {
            "receiver_func_name": func,
            "signal_path": signal,
            "dispatch_uid": f"elearn_plugin.host.receivers.{func}",
        }
        for func, signal, projects in RECEIVERS
        if project in projects and _importable(signal)
    ]


def _course_of(course_key: object) -> str | None:
    """The `course-v1:` key of a course (branch and version dropped); None for anything else."""
    from opaque_keys.edx.locator import CourseLocator, LibraryLocator  # noqa: PLC0415

    from elearn_plugin.video.course_scan import canonical_course_key  # noqa: PLC0415

    if not isinstance(course_key, CourseLocator) or isinstance(course_key, LibraryLocator):
        return None
    if course_key.branch or course_key.version_guid:
        course_key = course_key.replace(branch=None, version_guid=None)
    try:
        return canonical_course_key(str(course_key))
    except ValueError:
        return None


def _rescan(course_key: object, source: str) -> None:
    from elearn_plugin.tasks.courses import schedule_course_rescan  # noqa: PLC0415

    course = _course_of(course_key)
    if course is None:
        log.debug("%s for %s: not a course, no rescan", source, type(course_key).__name__)
        return
    schedule_course_rescan(course)


def xblock_published(sender=None, xblock_info=None, **kwargs) -> None:
    """Studio published a block (any type, usually a unit or a section): rescan its course."""
    try:
        # `context_key` is the course key of a course block (a v2 library's key for its blocks).
        course_key = xblock_info.usage_key.context_key
    except AttributeError:
        log.warning(
            "XBLOCK_PUBLISHED without a usable usage key (%s); no rescan",
            type(getattr(xblock_info, "usage_key", xblock_info)).__name__,
        )
        return
    try:
        _rescan(course_key, "XBLOCK_PUBLISHED")
    except Exception:
        log.exception(
            "XBLOCK_PUBLISHED of course %s: the rescan was not scheduled", str(course_key)[:120]
        )


def course_published(sender=None, course_key=None, **kwargs) -> None:
    """The modulestore published a course (every publish path): rescan it; libraries ignored."""
    try:
        _rescan(course_key, "course_published")
    except Exception:
        log.exception("course_published of %s: the rescan was not scheduled", str(course_key)[:120])


# --- LMS: passing status and enrolment ---------------------------------------------------


def _event_time(metadata) -> datetime:
    """The event's own time (`EventsMetadata.time`, UTC), else now."""
    when = getattr(metadata, "time", None)
    if isinstance(when, datetime) and when.tzinfo is not None:
        return when
    return timezone.now()


def _user_id(user) -> int | None:
    user_id = getattr(user, "id", None)
    if isinstance(user_id, int) and not isinstance(user_id, bool) and user_id > 0:
        return user_id
    return None


def _passing_reported(signal_name: str, receiver: str, status, course_key, metadata) -> None:
    """Record one passing report; after commit, evaluate the course when it became passing."""
    from elearn_plugin.audit import acting_as  # noqa: PLC0415
    from elearn_plugin.courses.passing import followed_courses, record_passing_status  # noqa
    from elearn_plugin.tasks.courses import schedule_completion_evaluation  # noqa: PLC0415

    course = _course_of(course_key)
    user_id = _user_id(getattr(status, "user", None))
    if course is None or user_id is None:
        log.warning(
            "%s with a %s course key and %s user: ignored",
            signal_name,
            type(course_key).__name__,
            "a valid" if user_id else "no valid",
        )
        return
    if not followed_courses([course]):
        log.debug("%s for %s, a course without a course policy: ignored", signal_name, course)
        return
    is_passing = getattr(status, "is_passing", None)
    with acting_as(f"receiver:{receiver}"):
        changed = record_passing_status(user_id, course, is_passing, _event_time(metadata))
    if changed and is_passing:
        schedule_completion_evaluation(course, [user_id])


def course_passing_status_updated(
    sender=None, course_passing_status=None, metadata=None, **kw
) -> None:
    """The LMS recomputed a learner's course grade: record passing or not (P-17)."""
    try:
        course_key = getattr(getattr(course_passing_status, "course", None), "course_key", None)
        _passing_reported(
            "COURSE_PASSING_STATUS_UPDATED",
            "course_passing_status_updated",
            course_passing_status,
            course_key,
            metadata,
        )
    except Exception:
        log.exception("COURSE_PASSING_STATUS_UPDATED: the passing status was not recorded")


def ccx_course_passing_status_updated(
    sender=None, course_passing_status=None, metadata=None, **kw
) -> None:
    """The same for a CCX: recorded under the CCX's course key, where its learners study."""
    try:
        course = getattr(course_passing_status, "course", None)
        _passing_reported(
            "CCX_COURSE_PASSING_STATUS_UPDATED",
            "ccx_course_passing_status_updated",
            course_passing_status,
            getattr(course, "ccx_course_key", None),
            metadata,
        )
    except Exception:
        log.exception("CCX_COURSE_PASSING_STATUS_UPDATED: the passing status was not recorded")


def course_enrollment_created(sender=None, enrollment=None, metadata=None, **kw) -> None:
    """The LMS enrolled a learner: confirm the assignment's enrolment (P-14)."""
    try:
        from elearn_plugin.audit import acting_as  # noqa: PLC0415

        course_key = getattr(getattr(enrollment, "course", None), "course_key", None)
        course = _course_of(course_key)
        user_id = _user_id(getattr(enrollment, "user", None))
        if course is None or user_id is None:
            log.warning(
                "COURSE_ENROLLMENT_CREATED with a %s course key: ignored",
                type(course_key).__name__,
            )
            return
        when = getattr(enrollment, "creation_date", None)
        if not isinstance(when, datetime) or when.tzinfo is None:
            when = _event_time(metadata)
        from elearn_plugin.courses.enrolments import confirm_enrolment  # noqa: PLC0415

        with acting_as("receiver:course_enrollment_created"):
            confirm_enrolment(user_id=user_id, course_key=course, when=when)
    except Exception:
        log.exception("COURSE_ENROLLMENT_CREATED: the enrolment was not confirmed")


def lifecycle_changed(sender, user_ids, when, **kwargs) -> None:
    """People moved, left or came back: `elearn_plugin.lifecycle.receivers` reacts. Imported
    here lazily, since this module is read while the apps are still loading."""
    from elearn_plugin.lifecycle.receivers import lifecycle_changed as react  # noqa: PLC0415

    react(sender, user_ids=user_ids, when=when, **kwargs)


def session_login_completed(sender=None, user=None, **kwargs) -> None:
    """openedx-platform `user_authn/views/login.py` sends `SESSION_LOGIN_COMPLETED` after
    `login()`, inside the sign-in request; the event has no address, so the place is read
    from that request (`sharing.places.PlacesMiddleware` keeps it). Evidence only (P-4):
    a failure is logged, never raised into the sign-in."""
    user_id = _user_id(user)
    if user_id is None:
        return
    try:
        from elearn_plugin.sharing.places import signed_in  # noqa: PLC0415

        signed_in(user_id)
    except Exception:
        log.exception("SESSION_LOGIN_COMPLETED: the place of the sign-in was not noted")
