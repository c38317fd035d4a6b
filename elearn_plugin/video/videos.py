"""The server's record of each tracked video: its authored facts and the media's duration.

Authors write the record (`register_video`: the Studio rescan, a course-staff edit); a
learner's session only reads it (`_authored_spec`), and a learner's player adds evidence of
the media's own duration (`record_media_duration`), which changes the record only when
several learners agree. A session never takes a duration from anything else (P-17).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.rules import watch as rules
from elearn_plugin.video.checks import _check_key, _policy, _require_course_access
from elearn_plugin.video.constants import MAX_RATE_LIMIT, MIN_RATE_LIMIT
from elearn_plugin.video.errors import WatchError
from elearn_plugin.video.models import MediaDurationObservation, TrackedVideo
from elearn_plugin.video.specs import VideoSpec

log = logging.getLogger(__name__)

# Distinct learners whose media durations must agree before the block's record changes.
MEDIA_DURATION_QUORUM = 3
MEDIA_OBSERVATIONS_READ = 50


MEDIA_QUORUM = audit.Actor(system="system:media_duration_quorum")


def clean_video_spec(spec: VideoSpec) -> VideoSpec:
    """Check authored facts; a bad duration or rate is refused, never guessed."""
    _check_key(spec.block_key, "block key")
    _check_key(spec.course_key, "course key")
    try:
        duration = rules.finite_number(
            spec.duration, "duration", low=0.001, high=rules.MAX_DURATION_SECONDS
        )
        max_rate = rules.finite_number(
            spec.max_rate, "max_rate", low=MIN_RATE_LIMIT, high=MAX_RATE_LIMIT
        )
    except rules.WatchInputError as exc:
        raise WatchError(
            "bad_video", 400, _("The video's %(field)s is not valid.") % {"field": exc.field}
        )
    return VideoSpec(
        spec.block_key,
        spec.course_key,
        duration,
        max_rate,
        str(spec.title or "")[:255],
        max(0, int(spec.credited_seconds or 0)),
    )


def register_video(spec: VideoSpec, *, actor=None) -> tuple[TrackedVideo, bool]:
    """Record or refresh the authored facts of a block; True when the block is new.

    Called for authors only: the Studio rescan (`course_scan`), a course-staff edit of the
    block and the tests. A learner's session reads the record (`_authored_spec`).
    """
    spec = clean_video_spec(spec)
    who = audit.resolve(actor)
    fields = record_fields(spec)
    with transaction.atomic():
        before = TrackedVideo.objects.filter(block_key=spec.block_key).values(*fields).first()
        video, created = TrackedVideo.objects.update_or_create(
            block_key=spec.block_key, defaults=fields
        )
        if before != fields:
            audit.record(
                who,
                "video.registered",
                video,
                {"block_key": video.block_key, "course_key": video.course_key, "created": created},
            )
    return video, created


def record_fields(spec: VideoSpec) -> dict:
    """The `TrackedVideo` columns an authored spec sets."""
    return {
        "course_key": spec.course_key,
        "title": spec.title,
        "duration": spec.duration,
        "max_rate": spec.max_rate,
        "credited_seconds": spec.credited_seconds,
    }


def _spec_of(video: TrackedVideo) -> VideoSpec:
    return VideoSpec(
        video.block_key,
        video.course_key,
        video.duration,
        video.max_rate,
        video.title,
        video.credited_seconds,
    )


def _authored_spec(spec: VideoSpec) -> VideoSpec:
    """The authored record of the block; the block's own fields only when there is none yet.

    Inside the LMS the block's fields are the published, authored ones (the rescan writes the
    same values when Studio publishes); the first learner to open a video nobody rescanned
    yet records them. Once recorded, a session never takes a duration from anything else.
    """
    spec = clean_video_spec(spec)
    video, _created = TrackedVideo.objects.get_or_create(
        block_key=spec.block_key,
        defaults=record_fields(spec),
    )
    return _spec_of(video)


def record_media_duration(user, block_key: object, reported: object) -> bool:
    """Keep one learner's observation of the media's duration; True when it disagrees.

    The observation is the learner's own evidence (one row per learner and block). The
    block's record (`TrackedVideo.media_duration`, `duration_mismatch`) changes only when
    `MEDIA_DURATION_QUORUM` learners' observations agree within the policy's tolerance;
    the authored duration, which the rules use, is never changed here.
    """
    try:
        value = rules.finite_number(reported, "media_duration", low=0.0, high=1e6)
    except rules.WatchInputError as exc:
        raise WatchError("bad_media_duration", 400, _("The media duration is not valid.")) from exc
    key = _check_key(block_key, "block key")
    video = TrackedVideo.objects.filter(block_key=key).first()
    if video is None:
        raise WatchError("unknown_video", 404)
    _require_course_access(user, video.course_key)
    tolerance = _policy().video.duration_mismatch_seconds
    now = timezone.now()
    MediaDurationObservation.objects.update_or_create(
        user_id=user.pk, block_key=key, defaults={"duration": value, "observed_at": now}
    )
    recent = MediaDurationObservation.objects.filter(block_key=key).order_by("-observed_at")
    agreed = rules.agreed_media_duration(
        recent.values_list("duration", flat=True)[:MEDIA_OBSERVATIONS_READ],
        tolerance,
        MEDIA_DURATION_QUORUM,
    )
    if agreed is not None and agreed != video.media_duration:
        mismatch = rules.duration_mismatch(video.duration, agreed, tolerance)
        with transaction.atomic():
            TrackedVideo.objects.filter(pk=video.pk).update(
                media_duration=agreed, duration_mismatch=mismatch
            )
            # The quorum of learners' observations decided, not the learner reporting last.
            audit.record(
                MEDIA_QUORUM,
                "video.duration_set",
                video,
                {"block_key": key, "seconds": round(agreed)},
            )
        if mismatch:
            log.warning("Media duration differs from the authored one for block %s", key)
    return rules.duration_mismatch(video.duration, value, tolerance)
