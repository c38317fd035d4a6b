"""Course tasks: the rescan after a Studio publish, and the completion evaluation (P-17).

The rescan runs once per course at a time, off the request. The tasks have no queue of their
own: the rescan, sent from Studio, lands on Studio's default queue (`edx.cms.core.default`),
which Studio's worker consumes, next to the modulestore; the evaluation, sent from the LMS, on
the LMS's. Their arguments are course keys and user ids (no personal data, P-32).
"""

import functools
import logging
from collections.abc import Iterable

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from elearn_plugin.audit import acting_as
from elearn_plugin.video import course_scan

log = logging.getLogger(__name__)

# A waiting rescan absorbs the publishes of its course for at most this long: if its worker
# never runs it (lost message), the key expires and a later publish schedules again.
RESCAN_PENDING_SECONDS = 15 * 60


def pending_key(course_key: str) -> str:
    """The cache key that marks a rescan of this course as enqueued and not yet started."""
    return f"elearn:rescan:{course_key}"


@shared_task(name="elearn.rescan_course", ignore_result=True)
def rescan_course(course_key: str) -> dict:
    """Rescan one course (tracked-video facts, built-in videos of a required course)."""
    try:
        cache.delete(pending_key(course_key))  # a publish from now on schedules a new rescan
    except Exception:
        log.exception("Could not clear the pending rescan mark of course %s", course_key)
    try:
        with acting_as("task:elearn.rescan_course"):
            return course_scan.rescan_course(course_key).as_dict()
    except ValueError:
        log.warning("Rescan refused: %r is not a course key", str(course_key)[:120])
        return {}


def _enqueue(course_key: str) -> None:
    """Enqueue one rescan unless one of this course is already waiting; never raises."""
    try:
        _enqueue_once(course_key)
    except Exception:
        log.exception("Could not schedule the rescan of course %s", course_key)


def _enqueue_once(course_key: str) -> None:
    mark = pending_key(course_key)
    try:
        if not cache.add(mark, 1, timeout=RESCAN_PENDING_SECONDS):
            return
    except Exception:
        log.exception("Cache unavailable; enqueueing the rescan of course %s anyway", course_key)
        mark = None
    try:
        rescan_course.delay(course_key)
    except Exception:
        log.exception("Could not enqueue the rescan of course %s", course_key)
        if mark is not None:
            cache.delete(mark)  # the next publish tries again


def schedule_course_rescan(course_key: str) -> None:
    """After the current transaction commits, enqueue a rescan of the course (deduplicated).

    Outside a transaction the enqueue happens at once; in a transaction that rolls back,
    nothing is enqueued and nothing is marked.
    """
    transaction.on_commit(functools.partial(_enqueue, str(course_key)), robust=True)


# --- course completion (P-17, P-20) --------------------------------------------------------
# Sent from the LMS (a verified video completion, a passing-status event); it lands on the
# LMS's default queue, whose workers read the course structure. Arguments: ids and keys only.


@shared_task(name="elearn.evaluate_course_completion", ignore_result=True)
def evaluate_course_completion(course_key: str, user_ids: list[int]) -> int:
    """Record the completions of one course that now hold for these learners."""
    from elearn_plugin.courses.passing import evaluate_completions  # noqa: PLC0415
    from elearn_plugin.courses.validation import CourseDataError  # noqa: PLC0415

    try:
        with acting_as("task:elearn.evaluate_course_completion"):
            return evaluate_completions(course_key, user_ids)
    except CourseDataError as exc:
        log.info("Completion of %s not evaluated: %s", str(course_key)[:120], exc)
        return 0


def _enqueue_evaluation(course_key: str, user_ids: list[int]) -> None:
    """Enqueue one evaluation; never raises (the catch-up job recovers a lost one)."""
    try:
        evaluate_course_completion.delay(course_key, user_ids)
    except Exception:
        log.exception("Could not enqueue the completion evaluation of course %s", course_key)


def schedule_completion_evaluation(course_key: str, user_ids: Iterable[int]) -> None:
    """After the current transaction commits, evaluate these learners' completion of a course.

    In a transaction that rolls back nothing is enqueued; outside one, it is enqueued at once.
    """
    ids = sorted({int(uid) for uid in user_ids})
    if ids:
        transaction.on_commit(
            functools.partial(_enqueue_evaluation, str(course_key), ids), robust=True
        )
