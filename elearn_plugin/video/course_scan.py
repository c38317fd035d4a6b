"""Rescan one course after Studio publishes it: tracked-video facts and built-in videos (P-17).

Called by the `elearn.rescan_course` task (Studio's worker), never inside a Studio request.
The course structure is read first, then everything is written in one transaction:
- the authored duration, maximum rate, title and credited time of each tracked video go into
  its `TrackedVideo` row, so the server knows them before any learner opens the video and they
  follow the author's changes; a block with an invalid authored value is skipped and logged;
- in a required course, the list of built-in `video` blocks is replaced by the current one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import conflict_target
from elearn_plugin.rules import watch as rules
from elearn_plugin.video.builtin_scan import replace_builtin_findings
from elearn_plugin.video.constants import CHUNK_SIZE, MAX_RATE_LIMIT
from elearn_plugin.video.errors import WatchError
from elearn_plugin.video.models import TrackedVideo
from elearn_plugin.video.specs import VideoSpec
from elearn_plugin.video.videos import clean_video_spec, record_fields

log = logging.getLogger(__name__)

_WRITTEN = ("course_key", "title", "duration", "max_rate", "credited_seconds")


@dataclass(frozen=True)
class CourseRescan:
    """What one rescan found and changed; block keys only."""

    course_key: str
    required: bool
    builtin_videos: list[str] = field(default_factory=list)
    tracked_created: int = 0
    tracked_updated: int = 0
    tracked_skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "course_key": self.course_key,
            "required": self.required,
            "builtin_videos": list(self.builtin_videos),
            "tracked_created": self.tracked_created,
            "tracked_updated": self.tracked_updated,
            "tracked_skipped": list(self.tracked_skipped),
        }


def canonical_course_key(value: object) -> str:
    """The `course-v1:` key of a course; libraries, old keys and garbage raise ValueError."""
    from elearn_plugin.courses.keys import parse_course_key  # noqa: PLC0415

    try:
        return parse_course_key(value)
    except ValidationError as exc:
        raise ValueError(f"Not a course key: {str(value)[:120]!r}") from exc


def _spec(course_key: str, authored: Mapping[str, object]) -> VideoSpec:
    """The checked facts of one authored block; WatchError/TypeError/ValueError when invalid."""
    rate = authored.get("max_playback_rate")
    if isinstance(rate, int | float) and not isinstance(rate, bool) and rate > MAX_RATE_LIMIT:
        rate = MAX_RATE_LIMIT
    credited = authored.get("credited_seconds")
    if isinstance(credited, bool) or not isinstance(credited, int | float | None):
        raise ValueError("credited_seconds")
    return clean_video_spec(
        VideoSpec(
            block_key=str(authored.get("block_key") or ""),
            course_key=course_key,
            duration=authored.get("duration"),
            max_rate=rate,
            title=str(authored.get("display_name") or ""),
            credited_seconds=credited,
        )
    )


def _clean_specs(course_key: str, authored: Iterable[Mapping]) -> tuple[list[VideoSpec], list]:
    specs: dict[str, VideoSpec] = {}
    skipped: list[str] = []
    for block in authored:
        block_key = str(block.get("block_key") or "")[:255]
        try:
            spec = _spec(course_key, block)
        except (WatchError, TypeError, ValueError, OverflowError):
            log.warning(
                "Tracked video %s of course %s has an invalid authored duration, rate or "
                "credited time; its stored facts are left unchanged",
                block_key,
                course_key,
            )
            skipped.append(block_key)
            continue
        specs[spec.block_key] = spec
    return list(specs.values()), skipped


def _mismatch(video: TrackedVideo | None, duration: float, tolerance: float) -> bool:
    if video is None or video.media_duration is None:
        return False
    return rules.duration_mismatch(duration, video.media_duration, tolerance)


def _upsert_tracked(specs: list[VideoSpec]) -> tuple[int, int]:
    """Write new and changed rows with one upsert per chunk; unchanged rows are not written."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    tolerance = get_policy().video.duration_mismatch_seconds
    target = conflict_target(TrackedVideo, ["block_key"])
    created = updated = 0
    for chunk in chunked(specs, CHUNK_SIZE):
        stored = {
            video.block_key: video
            for video in TrackedVideo.objects.filter(block_key__in=[s.block_key for s in chunk])
        }
        write = []
        for spec in chunk:
            video = stored.get(spec.block_key)
            values = (
                spec.course_key,
                spec.title,
                spec.duration,
                spec.max_rate,
                spec.credited_seconds,
            )
            if video is not None and tuple(getattr(video, name) for name in _WRITTEN) == values:
                continue
            if video is None:
                created += 1
            else:
                updated += 1
            write.append(
                TrackedVideo(
                    block_key=spec.block_key,
                    **record_fields(spec),
                    media_duration=video.media_duration if video else None,
                    duration_mismatch=_mismatch(video, spec.duration, tolerance),
                )
            )
        if write:
            TrackedVideo.objects.bulk_create(
                write,
                update_conflicts=True,
                unique_fields=target,
                update_fields=[*_WRITTEN, "duration_mismatch", "updated_at"],
            )
            written = TrackedVideo.objects.filter(block_key__in=[v.block_key for v in write])
            audit.record_bulk(
                None,
                "video.registered",
                [
                    (
                        video,
                        {
                            "block_key": video.block_key,
                            "course_key": video.course_key,
                            "created": video.block_key not in stored,
                        },
                    )
                    for video in written
                ],
            )
    return created, updated


def rescan_course(course_key: object) -> CourseRescan:
    """Bring the server's facts of one course up to its published structure (P-17)."""
    from elearn_plugin.courses.models import CourseKind, CourseOrigin, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.structure import get_structure_adapter  # noqa: PLC0415

    key = canonical_course_key(course_key)
    adapter = get_structure_adapter()
    required = CoursePolicy.objects.filter(course_key=key, kind=CourseKind.REQUIRED).exists()
    internal = CoursePolicy.objects.filter(course_key=key, origin=CourseOrigin.INTERNAL).exists()
    # Read the structure (the modulestore) before the transaction: no I/O while it is open.
    builtin = adapter.blocks_of_type(key, "video") if required else []
    specs, skipped = _clean_specs(key, adapter.tracked_videos(key))
    ungated = adapter.ungated_units(key) if internal else []
    with transaction.atomic():
        if required:
            replace_builtin_findings(key, builtin)
        created, updated = _upsert_tracked(specs)
        # P-10, P-11: an internal course's content published outside an approval gate.
        from elearn_plugin.review.published import record_ungated  # noqa: PLC0415

        record_ungated(key, ungated)
    if created or updated or skipped:
        log.info(
            "Rescanned course %s: %s tracked video(s) new, %s changed, %s skipped",
            key,
            created,
            updated,
            len(skipped),
        )
    return CourseRescan(key, required, list(builtin), created, updated, skipped)
