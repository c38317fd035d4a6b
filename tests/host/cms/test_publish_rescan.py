"""Studio publishes a unit or a course: its course is rescanned once, after commit (P-17).

The payloads come from the real data classes and go through the real signals, connected by
the stand-in `PluginsConfig` exactly as the platform connects a plugin's receivers:
- openedx-events `openedx_events/content_authoring/signals.py`: `XBLOCK_PUBLISHED` carries
  `xblock_info=XBlockData(usage_key, block_type)`; receivers get `signal`, `sender=None`,
  `xblock_info`, `metadata` and `from_event_bus`.
- openedx-platform `xmodule/modulestore/mixed.py`: a publish sends `XBLOCK_PUBLISHED` once,
  naming the published *parent* (a unit is a `vertical`, a section a `chapter`), synchronously
  right after the store's publish, not on commit.
- openedx-platform `xmodule/modulestore/django.py`: `SignalHandler.course_published`, sent by
  every publish path with `send_robust(sender=<store class>, course_key=<key>)`, also for
  v1 content libraries.
The course is read through the platform structure adapter from the stand-in modulestore
(`tests/host/platform/xmodule/modulestore/`), and the task runs on the stand-in Studio's
Celery app (`cms.celery`, eager in the test settings).
"""

from __future__ import annotations

import logging
import math
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.content_authoring.data import XBlockData
from openedx_events.content_authoring.signals import XBLOCK_PUBLISHED

from elearn_plugin.courses.services import CoursePolicySpec, save_course_policy
from elearn_plugin.host import receivers
from elearn_plugin.tasks import courses as course_tasks
from elearn_plugin.video.models import BuiltinVideoFinding, TrackedVideo

COURSE = "course-v1:Org+Req+2026"
UNIT = "block-v1:Org+Req+2026+type@vertical+block@unit1"
SECTION = "block-v1:Org+Req+2026+type@chapter+block@week1"
BUILTIN = "block-v1:Org+Req+2026+type@video+block@old"
TRACKED = "block-v1:Org+Req+2026+type@elearn_video+block@intro"
SECOND = "block-v1:Org+Req+2026+type@elearn_video+block@second"
DRAFT_ONLY = "block-v1:Org+Req+2026+type@elearn_video+block@draft"
ORPHAN = "block-v1:Org+Req+2026+type@elearn_video+block@orphan"
ELECTIVE = "course-v1:Org+Elec+2026"
ELECTIVE_UNIT = "block-v1:Org+Elec+2026+type@vertical+block@u"
ELECTIVE_BUILTIN = "block-v1:Org+Elec+2026+type@video+block@v"
ELECTIVE_TRACKED = "block-v1:Org+Elec+2026+type@elearn_video+block@t"
LIBRARY_BLOCK = "lib-block-v1:Org+Lib+type@html+block@x"
LIBRARY = "library-v1:Org+Lib"
LIBRARY_V2_BLOCK = "lb:Org:lib2:html:abc"


@pytest.fixture
def celery_app():
    """Studio's one Celery app (the platform's `cms/__init__.py` imports it at start)."""
    from cms.celery import APP

    assert APP.conf.task_always_eager
    return APP


@pytest.fixture
def store(settings, celery_app):
    """The stand-in modulestore, read through the platform adapter as inside Studio."""
    from xmodule.modulestore.django import modulestore

    settings.ELEARN_HOST_ADAPTERS = "platform"
    ms = modulestore()
    ms.clear()
    cache.clear()
    yield ms
    ms.clear()
    cache.clear()


@pytest.fixture
def strict_events(monkeypatch):
    """Receivers' exceptions reach the test instead of being logged by the event."""
    monkeypatch.setattr(XBLOCK_PUBLISHED, "_allow_send_event_failure", False)
    XBLOCK_PUBLISHED.allow_send_event_failure()


@pytest.fixture
def course(db, store, strict_events):
    save_course_policy(CoursePolicySpec(COURSE, "Req", Decimal("1"), "required", "internal"))
    save_course_policy(CoursePolicySpec(ELECTIVE, "Elec", Decimal("1"), "elective", "internal"))
    store.add_item(SECTION)
    store.add_item(UNIT)
    store.add_item(BUILTIN)
    _author(store, TRACKED, duration=120.0, max_playback_rate=1.5, credited_seconds=300)
    _author(store, DRAFT_ONLY, published=False, duration=30.0)
    _author(store, ORPHAN, orphan=True, duration=40.0)
    store.add_item(ELECTIVE_UNIT)
    store.add_item(ELECTIVE_BUILTIN)
    _author(store, ELECTIVE_TRACKED, duration=50.0)
    return store


@pytest.fixture
def enqueued(celery_app, monkeypatch):
    """Spy on the task's `delay`: records the course keys, runs nothing."""
    calls: list[tuple] = []
    task = celery_app.tasks["elearn.rescan_course"]
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: calls.append(args))
    return calls


def _author(store, block_key, *, display_name="Safety intro", max_playback_rate=1.0, **kw):
    fields = {"display_name": display_name, "max_playback_rate": max_playback_rate}
    fields.setdefault("credited_seconds", kw.pop("credited_seconds", 0))
    published = kw.pop("published", True)
    orphan = kw.pop("orphan", False)
    return store.add_item(block_key, published=published, orphan=orphan, **fields, **kw)


def _publish(usage_key: str, block_type: str | None = None) -> None:
    """What Studio's mixed modulestore sends after a publish of `usage_key`."""
    key = UsageKey.from_string(usage_key)
    XBLOCK_PUBLISHED.send_event(
        xblock_info=XBlockData(usage_key=key, block_type=block_type or key.block_type)
    )


def _course_published(store, course_key) -> None:
    """What a store sends at the end of a publishing bulk operation (robust send)."""
    store.signal_handler.send("course_published", course_key=course_key)


# --- wiring ------------------------------------------------------------------------------


def test_both_receivers_are_listed_for_studio_only():
    studio = {
        (r["receiver_func_name"], r["signal_path"])
        for r in receivers.receivers_for("cms.djangoapp")
    }
    assert studio == {
        ("xblock_published", "openedx_events.content_authoring.signals.XBLOCK_PUBLISHED"),
        ("course_published", "xmodule.modulestore.django.COURSE_PUBLISHED"),
    }
    lms = {r["receiver_func_name"] for r in receivers.receivers_for("lms.djangoapp")}
    assert not lms & {"xblock_published", "course_published"}


def test_the_modulestore_signal_is_left_out_without_the_platform(monkeypatch):
    real = receivers.find_spec
    monkeypatch.setattr(
        receivers, "find_spec", lambda name: None if name == "xmodule" else real(name)
    )
    names = [r["receiver_func_name"] for r in receivers.receivers_for("cms.djangoapp")]
    assert names == ["xblock_published"]


def test_the_signal_paths_import_as_the_plugin_loader_imports_them():
    from django.utils.module_loading import import_string
    from xmodule.modulestore.django import SignalHandler

    # Connected by the stand-in PluginsConfig under the dispatch uid of the entry.
    for entry in receivers.receivers_for("cms.djangoapp"):
        signal = import_string(entry["signal_path"])
        assert entry["dispatch_uid"] in {lookup[0] for lookup, *_ in signal.receivers}
    assert import_string(receivers.COURSE_PUBLISHED_PATH) is SignalHandler.course_published


def test_the_task_is_registered_without_a_queue_of_its_own(celery_app, settings):
    from openedx.core.lib.celery.routers import route_task

    task = celery_app.tasks["elearn.rescan_course"]
    assert getattr(task, "queue", None) is None
    assert task.ignore_result is True
    assert route_task("elearn.rescan_course", [COURSE], {}, {}) is None
    assert celery_app.conf.task_default_queue == "edx.cms.core.default"


# --- the rescan --------------------------------------------------------------------------


# P-17: publishing a unit lists the built-in videos of its required course and records the
# authored facts of its tracked videos before any learner opens them.
def test_publishing_a_unit_rescans_its_course(course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT, "vertical")

    assert list(BuiltinVideoFinding.objects.values_list("course_key", "block_key")) == [
        (COURSE, BUILTIN)
    ]
    video = TrackedVideo.objects.get()
    assert (video.block_key, video.course_key, video.title) == (TRACKED, COURSE, "Safety intro")
    assert (video.duration, video.max_rate, video.credited_seconds) == (120.0, 1.5, 300)


# P-17: the author changes the duration; the next publish (a section) updates the row.
def test_a_republish_updates_changed_durations(course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    first = TrackedVideo.objects.get(block_key=TRACKED)
    _author(course, TRACKED, duration=150.0, max_playback_rate=2.0, credited_seconds=360)
    _author(course, SECOND, display_name="Second", duration=75.5)
    course.add_item(BUILTIN.replace("@old", "@new"))
    with django_capture_on_commit_callbacks(execute=True):
        _publish(SECTION, "chapter")

    updated = TrackedVideo.objects.get(block_key=TRACKED)
    assert updated.pk == first.pk
    assert (updated.duration, updated.max_rate, updated.credited_seconds) == (150.0, 2.0, 360)
    assert TrackedVideo.objects.get(block_key=SECOND).duration == 75.5
    assert set(BuiltinVideoFinding.objects.values_list("block_key", flat=True)) == {
        BUILTIN,
        BUILTIN.replace("@old", "@new"),
    }


# P-17: a built-in video is listed only in a required course; tracked videos everywhere.
def test_an_elective_course_records_tracked_videos_only(course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _publish(ELECTIVE_UNIT)
    assert not BuiltinVideoFinding.objects.exists()
    assert TrackedVideo.objects.get().block_key == ELECTIVE_TRACKED


# P-17: the modulestore's own signal (imports, auto-publish, force publish) does the same.
def test_course_published_rescans_the_course(course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _course_published(course, CourseKey.from_string(COURSE))
    assert BuiltinVideoFinding.objects.get().block_key == BUILTIN
    assert TrackedVideo.objects.get().duration == 120.0


def test_the_rescan_waits_for_the_commit(course, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _publish(UNIT)
        assert enqueued == []
        assert cache.get(course_tasks.pending_key(COURSE)) is None
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [(COURSE,)]


def test_a_rolled_back_publish_enqueues_and_marks_nothing(
    course, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _publish(UNIT)
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert enqueued == []
    assert cache.get(course_tasks.pending_key(COURSE)) is None


def test_ten_publishes_of_a_course_enqueue_one_task(
    course, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            _publish(UNIT)
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            _course_published(course, CourseKey.from_string(COURSE))
    with django_capture_on_commit_callbacks(execute=True):
        _publish(ELECTIVE_UNIT)
    assert enqueued == [(COURSE,), (ELECTIVE,)]

    # The task clears the mark when it starts: a later publish schedules again.
    course_tasks.rescan_course(COURSE)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    assert enqueued == [(COURSE,), (ELECTIVE,), (COURSE,)]


def test_a_failed_enqueue_lets_the_next_publish_try_again(
    course, celery_app, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    task = celery_app.tasks["elearn.rescan_course"]

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(task, "delay", broker_down)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    assert f"Could not enqueue the rescan of course {COURSE}" in caplog.text
    assert cache.get(course_tasks.pending_key(COURSE)) is None


@pytest.mark.parametrize(
    "usage_key", [LIBRARY_BLOCK, LIBRARY_V2_BLOCK], ids=["library-v1", "library-v2"]
)
def test_a_library_block_is_ignored(
    course, enqueued, django_capture_on_commit_callbacks, usage_key
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _publish(usage_key)
    assert callbacks == []
    assert enqueued == []


def test_a_published_library_is_ignored(course, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _course_published(course, CourseKey.from_string(LIBRARY))
    assert callbacks == []
    assert enqueued == []
    assert not TrackedVideo.objects.exists()


def test_a_branch_of_the_course_is_the_course(course, enqueued, django_capture_on_commit_callbacks):
    draft = UsageKey.from_string(UNIT).for_branch("draft-branch")
    with django_capture_on_commit_callbacks(execute=True):
        XBLOCK_PUBLISHED.send_event(xblock_info=XBlockData(usage_key=draft, block_type="vertical"))
    assert enqueued == [(COURSE,)]


# --- bad input changes nothing and never reaches Studio -----------------------------------


def test_a_broken_xblock_payload_does_not_raise(
    course, enqueued, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        XBLOCK_PUBLISHED.send_event(
            xblock_info=XBlockData(usage_key="not-a-usage-key", block_type="vertical")
        )
    assert "XBLOCK_PUBLISHED without a usable usage key (str); no rescan" in caplog.text
    assert enqueued == []
    assert not TrackedVideo.objects.exists()
    assert not BuiltinVideoFinding.objects.exists()


@pytest.mark.parametrize("course_key", [None, "course-v1:Org+Req+2026", 42, "garbage"])
def test_a_broken_course_published_payload_does_not_raise(
    course, enqueued, django_capture_on_commit_callbacks, course_key
):
    from xmodule.modulestore.django import SignalHandler

    with django_capture_on_commit_callbacks(execute=True):
        # `send`, not `send_robust`: an exception of the receiver would reach the test.
        SignalHandler.course_published.send(sender=type(course), course_key=course_key)
    assert enqueued == []
    assert not TrackedVideo.objects.exists()


def test_a_failing_schedule_is_logged_with_the_course_key(course, monkeypatch, caplog):
    def fails(course_key):
        raise RuntimeError("cache down")

    monkeypatch.setattr(course_tasks, "schedule_course_rescan", fails)
    with caplog.at_level(logging.ERROR):
        _publish(UNIT)
        course.signal_handler.course_published.send(
            sender=type(course), course_key=CourseKey.from_string(COURSE)
        )
    messages = [r.getMessage() for r in caplog.records if r.name == receivers.__name__]
    assert messages == [
        f"XBLOCK_PUBLISHED of course {COURSE}: the rescan was not scheduled",
        f"course_published of {COURSE}: the rescan was not scheduled",
    ]


# P-17: an invalid authored value is skipped with a log line naming the block; the rest of
# the course is still recorded, and a previously recorded valid row is kept.
@pytest.mark.parametrize(
    "bad",
    [
        {"duration": 0.0},
        {"duration": math.nan},
        {"duration": math.inf},
        {"duration": None},
        {"duration": "120"},
        {"duration": 60.0, "max_playback_rate": math.nan},
        {"duration": 60.0, "credited_seconds": math.nan},
    ],
    ids=["zero", "nan", "inf", "missing", "string", "rate-nan", "credited-nan"],
)
def test_invalid_authored_values_are_skipped_and_logged(
    course, django_capture_on_commit_callbacks, caplog, bad
):
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    _author(course, TRACKED, **{"max_playback_rate": 1.5, "credited_seconds": 300, **bad})
    _author(course, SECOND, duration=75.0)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)

    assert f"Tracked video {TRACKED} of course {COURSE} has an invalid authored" in caplog.text
    assert TrackedVideo.objects.get(block_key=TRACKED).duration == 120.0
    assert TrackedVideo.objects.get(block_key=SECOND).duration == 75.0


def test_a_rescan_without_changes_writes_nothing(course, django_capture_on_commit_callbacks):
    from elearn_plugin.video.course_scan import rescan_course

    first = rescan_course(COURSE)
    assert (first.tracked_created, first.tracked_updated) == (1, 0)
    stamp = TrackedVideo.objects.get().updated_at
    again = rescan_course(COURSE)
    assert (again.tracked_created, again.tracked_updated) == (0, 0)
    assert TrackedVideo.objects.get().updated_at == stamp


# P-17: an author who fixes a duration that the media disagreed with clears the flag.
def test_a_fixed_duration_clears_the_media_mismatch(
    course, django_capture_on_commit_callbacks, make_user
):
    from elearn_plugin.video.services import MEDIA_DURATION_QUORUM, record_media_duration

    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    # Learners' observations change the record only when enough of them agree (staff here:
    # they have access to the course without an enrolment).
    for _ in range(MEDIA_DURATION_QUORUM):
        assert record_media_duration(make_user(is_staff=True), TRACKED, 150.0) is True
    assert TrackedVideo.objects.get(block_key=TRACKED).duration_mismatch
    _author(course, TRACKED, duration=150.0, max_playback_rate=1.5, credited_seconds=300)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    video = TrackedVideo.objects.get(block_key=TRACKED)
    assert (video.duration, video.media_duration, video.duration_mismatch) == (150.0, 150.0, False)


# P-10, P-11: a published unit of an internal course with content outside an approval gate
# is recorded; split modulestore items list their children as usage keys (`block_type`).
def test_units_outside_approval_gates_are_recorded(course, django_capture_on_commit_callbacks):
    from elearn_plugin.review.jobs import ungated_content
    from elearn_plugin.review.models import UngatedUnit

    gated = "block-v1:Org+Req+2026+type@vertical+block@gated"
    course.add_item(
        gated,
        children=[UsageKey.from_string(f"{gated.split('+type')[0]}+type@elearn_approval+block@g")],
    )
    course.add_item(
        "block-v1:Org+Req+2026+type@vertical+block@open",
        children=[UsageKey.from_string(BUILTIN), UsageKey.from_string(TRACKED)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _publish(UNIT)
    assert list(UngatedUnit.objects.values_list("course_key", "unit_key")) == [
        (COURSE, "block-v1:Org+Req+2026+type@vertical+block@open")
    ]
    assert ungated_content(None) == [f"ungated_content:{COURSE}"]
