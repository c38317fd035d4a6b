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
"""

import logging
from importlib.util import find_spec

log = logging.getLogger(__name__)

# The modulestore exports each `SignalHandler` signal under its upper-case name as well
# (`COURSE_PUBLISHED is SignalHandler.course_published`); a dotted path through the class
# (`...django.SignalHandler.course_published`) cannot be imported by `import_string`.
COURSE_PUBLISHED_PATH = "xmodule.modulestore.django.COURSE_PUBLISHED"
XBLOCK_PUBLISHED_PATH = "openedx_events.content_authoring.signals.XBLOCK_PUBLISHED"

# (receiver function name, signal dotted path, projects)
RECEIVERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("xblock_published", XBLOCK_PUBLISHED_PATH, ("cms.djangoapp",)),
    ("course_published", COURSE_PUBLISHED_PATH, ("cms.djangoapp",)),
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
