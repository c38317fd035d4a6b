"""The only writers of the video domain: sessions, verified progress, completions (P-17, P-4).

A report is decided by `elearn_plugin.rules.watch` against the stored progress and the
server clock; an accepted report costs two statements (a plain read, a versioned update,
retried once when another report of the learner won the race). Learning time is written per
session when it is superseded or completes, or by the flush job (ADR 0004).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.rules import watch as rules
from elearn_plugin.video.models import (
    BuiltinVideoFinding,
    MediaDurationObservation,
    SharingSuspicion,
    TrackedVideo,
    VideoCompletion,
    WatchProgress,
    WatchSession,
)

log = logging.getLogger(__name__)

TOKEN_MAX_AGE_SECONDS = 12 * 3600
SHARING_CACHE_SECONDS = 3600
# Each session of a learner gets the next slot number; a report compares its playback with the
# sessions in the slots around its own (one cache read), and writes only its own slot.
SHARING_NEIGHBOURS = 4
SLOT_COUNTER_SECONDS = 7 * 24 * 3600
# Distinct learners whose media durations must agree before the block's record changes.
MEDIA_DURATION_QUORUM = 3
MEDIA_OBSERVATIONS_READ = 50
CHUNK_SIZE = 500
_KEY_RE = re.compile(r"^[\w:+.@/-]{3,255}$")

# Messages of refusals; the code travels with the message so the player can react to it.
MESSAGES = {
    rules.STALE_SEQUENCE: gettext_lazy("This report is older than one already received."),
    rules.BAD_RANGE: gettext_lazy("The reported segment is not inside the video."),
    rules.BEYOND_FRONTIER: gettext_lazy(
        "The reported segment starts beyond the furthest point watched."
    ),
    rules.TOO_FAST: gettext_lazy("More video was reported than could have been played since."),
    "superseded": gettext_lazy("This video was opened in another window or device."),
    "bad_token": gettext_lazy("The watch session is invalid or has expired. Reload the page."),
    "wrong_user": gettext_lazy("This watch session belongs to another learner."),
    "conflict": gettext_lazy("Another report was saved at the same time. Try again."),
    "unknown_video": gettext_lazy("This video is not known to the server yet."),
    "outside_window": gettext_lazy(
        "Learning during working time is allowed only in the learning windows."
    ),
    "rate_limited": gettext_lazy("Too many reports. Wait a moment."),
    "not_authenticated": gettext_lazy("Sign in to watch this video."),
    "no_course_access": gettext_lazy(
        "You are not enrolled in the course of this video. Enrol in the course to watch it."
    ),
}


class WatchError(Exception):
    """A refused request: nothing was changed. `status` is the HTTP status to answer."""

    def __init__(self, code: str, status: int, message: str = "", **extra):
        self.code = code
        self.status = status
        self.message = str(message or MESSAGES.get(code, code))
        self.extra = extra
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.extra}


@dataclass(frozen=True)
class VideoSpec:
    """The authored facts of a tracked video block."""

    block_key: str
    course_key: str
    duration: float
    max_rate: float = 1.0
    title: str = ""
    credited_seconds: int = 0


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from; stored only as the IP and hashes (P-32)."""

    ip: str | None = None
    user_agent: str = ""
    browser_key: str = ""

    @classmethod
    def from_request(cls, request) -> ClientInfo:
        meta = getattr(request, "META", {}) or {}
        session = getattr(request, "session", None)
        return cls(
            ip=meta.get("REMOTE_ADDR") or None,
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:1000],
            browser_key=str(getattr(session, "session_key", "") or ""),
        )


@dataclass(frozen=True)
class SessionGrant:
    """What the player needs to start: the signed token and where to resume."""

    token: str
    session_id: int
    position: float
    frontier: float
    intervals: list
    complete: bool
    duration: float
    max_rate: float
    report_interval_seconds: int

    def as_dict(self) -> dict:
        return {
            "token": self.token,
            "position": self.position,
            "frontier": self.frontier,
            "intervals": self.intervals,
            "complete": self.complete,
            "duration": self.duration,
            "max_rate": self.max_rate,
            "report_interval_seconds": self.report_interval_seconds,
        }


@dataclass(frozen=True)
class ReportResult:
    accepted: bool
    duplicate: bool
    watched_seconds: float
    frontier: float
    complete: bool
    completion_created: bool
    intervals: list

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "watched_seconds": self.watched_seconds,
            "frontier": self.frontier,
            "complete": self.complete,
            "intervals": self.intervals,
        }


@dataclass(frozen=True)
class TokenData:
    session_id: int
    user_id: int
    block_key: str
    course_key: str
    duration: float
    max_rate: float
    issued_at: float
    slot: int = 0  # the session's sharing slot (0: none, tokens issued before slots existed)


# --- helpers -----------------------------------------------------------------------------


def _policy():
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return get_policy()


def _salt() -> str:
    return getattr(settings, "ELEARN_WATCH_TOKEN_SALT", "elearn.video.watch")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def _epoch(when: datetime) -> float:
    return when.timestamp()


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _watch_rules(max_rate: float, policy=None):
    video = (policy or _policy()).video
    return rules.WatchRules(
        end_tolerance=video.end_tolerance_seconds,
        start_tolerance=video.start_tolerance_seconds,
        rate_slack=video.rate_slack,
        max_rate=min(max_rate, video.max_playback_rate),
    )


def _check_key(value: object, field: str) -> str:
    if not isinstance(value, str) or not _KEY_RE.match(value):
        raise WatchError("bad_key", 400, _("The %(field)s is not valid.") % {"field": field})
    return value


_UNREAD = object()


def _refuse_if_gated(user, now: datetime, block=_UNREAD) -> None:
    """The kill switch and sanctions, read through the shared core's caches (P-34, P-8).

    `block` is the learner's block when the caller has already read it for this request.
    """
    from elearn_plugin.gate import learning_refusal  # noqa: PLC0415

    if block is _UNREAD:
        refusal = learning_refusal(user, now=now)
    else:
        refusal = learning_refusal(user, now=now, block=block)
    if refusal is not None:
        raise WatchError(str(refusal.code), 403, str(refusal.message))


def _require_course_access(user, course_key: str) -> None:
    """Only a learner the host lets into the course earns anything from its videos (P-31)."""
    from elearn_plugin.host.access import has_course_access  # noqa: PLC0415

    if not has_course_access(user, course_key):
        raise WatchError("no_course_access", 403)


def _classify(user_id: int, start: datetime, end: datetime) -> str:
    """P-18 through the one classification of learning time (`learning.services.classify`)."""
    from elearn_plugin.learning.services import classify, permitted_slots  # noqa: PLC0415

    permitted = permitted_slots(user_id, start - timedelta(days=1), end + timedelta(days=1))
    return str(classify(start, end, permitted))


def _refuse_outside_window(user_id: int, start: datetime, end: datetime, policy=None) -> None:
    """P-18 in `block` mode: no watching in working time without a window or permission."""
    policy = policy or _policy()
    if policy.learning_windows.mode != "block":
        return
    if _classify(user_id, start, end) != "unpermitted":
        return
    from elearn_plugin.learning.services import permitted_slots  # noqa: PLC0415
    from elearn_plugin.rules.calendar import next_allowed_start  # noqa: PLC0415

    slots = permitted_slots(user_id, end, end + timedelta(days=8))
    nxt = next_allowed_start(end, policy.calendar, policy.learning_windows, policy.tz, slots)
    local = nxt.astimezone(policy.tz)
    raise WatchError(
        "outside_window",
        403,
        f"{MESSAGES['outside_window']} "
        + _("You may play this video from %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"},
        next_allowed_start=nxt.isoformat(),
    )


def _rate_limit(user_id: int, now: datetime) -> None:
    limit = int(getattr(settings, "ELEARN_VIDEO_RATE_LIMIT", 30))
    key = f"elearn:video:rate:{user_id}:{int(_epoch(now) // 60)}"
    try:
        count = cache.incr(key)  # one round trip for every report but the minute's first
    except ValueError:
        count = 1 if cache.add(key, 1, 120) else cache.incr(key)
    if count > limit:
        raise WatchError("rate_limited", 429)


# --- videos ------------------------------------------------------------------------------


def clean_video_spec(spec: VideoSpec) -> VideoSpec:
    """Check authored facts; a bad duration or rate is refused, never guessed."""
    _check_key(spec.block_key, "block key")
    _check_key(spec.course_key, "course key")
    try:
        duration = rules.finite_number(
            spec.duration, "duration", low=0.001, high=rules.MAX_DURATION_SECONDS
        )
        max_rate = rules.finite_number(spec.max_rate, "max_rate", low=0.25, high=2.0)
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


def register_video(spec: VideoSpec) -> tuple[TrackedVideo, bool]:
    """Record or refresh the authored facts of a block; True when the block is new.

    Called for authors only: the Studio rescan (`course_scan`), a course-staff edit of the
    block and the tests. A learner's session reads the record (`_authored_spec`).
    """
    spec = clean_video_spec(spec)
    video, created = TrackedVideo.objects.update_or_create(
        block_key=spec.block_key,
        defaults=record_fields(spec),
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
        TrackedVideo.objects.filter(pk=video.pk).update(
            media_duration=agreed, duration_mismatch=mismatch
        )
        if mismatch:
            log.warning("Media duration differs from the authored one for block %s", key)
    return rules.duration_mismatch(video.duration, value, tolerance)


# --- sessions ----------------------------------------------------------------------------


def _sharing_slot(user_id: int) -> int:
    """The next sharing slot of a learner (an atomic counter in the shared cache)."""
    key = f"elearn:video:slots:{user_id}"
    cache.add(key, 0, SLOT_COUNTER_SECONDS)
    try:
        slot = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, SLOT_COUNTER_SECONDS)
        slot = 1
    cache.touch(key, SLOT_COUNTER_SECONDS)
    return int(slot)


def start_session(
    user, spec: VideoSpec, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a new watch session; it supersedes the learner's previous one for this block.

    The duration and rate are the block's authored record (`TrackedVideo`), never a caller's.
    Course access is checked by the entry points (`open_session`, `start_session_for_block`).
    """
    now = now or timezone.now()
    spec = clean_video_spec(spec)
    _refuse_if_gated(user, now)
    _refuse_outside_window(user.pk, now, now + timedelta(seconds=1))
    client = client or ClientInfo()
    spec = _authored_spec(spec)
    with transaction.atomic():
        progress, _created = WatchProgress.objects.select_for_update().get_or_create(
            user_id=user.pk,
            block_key=spec.block_key,
            defaults={
                "course_key": spec.course_key,
                "duration": spec.duration,
                "max_rate": spec.max_rate,
            },
        )
        old_session_id = progress.session_id
        session = WatchSession.objects.create(
            user_id=user.pk,
            course_key=spec.course_key,
            block_key=spec.block_key,
            created_at=now,
            ip=client.ip,
            user_agent_hash=_hash(client.user_agent),
            browser_hash=_hash(client.browser_key),
        )
        if old_session_id:
            WatchSession.objects.filter(pk=old_session_id, superseded_at__isnull=True).update(
                superseded_at=now
            )
            _flush_progress_windows(progress, old_session_id)
        progress.session = session
        progress.session_started_at = now
        progress.duration = spec.duration
        progress.max_rate = spec.max_rate
        progress.last_seq = 0
        progress.last_report = None
        progress.last_report_at = None
        progress.pending_windows = []
        progress.version += 1
        progress.save()
        transaction.on_commit(functools.partial(_remember_progress, progress))
    token = signing.dumps(
        {
            "s": session.pk,
            "u": user.pk,
            "b": spec.block_key,
            "c": spec.course_key,
            "d": spec.duration,
            "r": spec.max_rate,
            "t": _epoch(now),
            "k": _sharing_slot(user.pk),
        },
        salt=_salt(),
        compress=True,
    )
    return SessionGrant(
        token=token,
        session_id=session.pk,
        position=progress.position,
        frontier=progress.frontier,
        intervals=[list(i) for i in progress.intervals],
        complete=progress.completed_at is not None,
        duration=spec.duration,
        max_rate=spec.max_rate,
        report_interval_seconds=int(_policy().video.report_interval_seconds),
    )


def open_session(
    user, spec: VideoSpec, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a session for the block a learner opened (the XBlock's `start_session` handler).

    Only for a learner with access to the block's course (enrolled, course staff or staff).
    """
    spec = clean_video_spec(spec)
    _require_course_access(user, spec.course_key)
    return start_session(user, spec, client, now)


def start_session_for_block(
    user, block_key: object, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a session from the server's record of the block (plain endpoint, mobile apps)."""
    key = _check_key(block_key, "block key")
    video = TrackedVideo.objects.filter(block_key=key).first()
    if video is None:
        raise WatchError("unknown_video", 404)
    _require_course_access(user, video.course_key)
    return start_session(user, _spec_of(video), client, now)


@functools.lru_cache(maxsize=4096)
def _verified_token(token: str, salt: str, key: str) -> TokenData | None:
    """The content of a validly signed token (None when forged); the same token is sent by
    every report of its session, so each process verifies it once. `key` is part of the
    cache key only: a rotated SECRET_KEY verifies again."""
    try:
        data = signing.loads(token, salt=salt)
        return TokenData(
            session_id=int(data["s"]),
            user_id=int(data["u"]),
            block_key=str(data["b"]),
            course_key=str(data["c"]),
            duration=float(data["d"]),
            max_rate=float(data["r"]),
            issued_at=float(data["t"]),
            slot=int(data.get("k", 0)),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def read_token(token: object, user, now: datetime | None = None) -> TokenData:
    """Verify the signed watch token and that it belongs to `user`."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        raise WatchError("bad_token", 400)
    parsed = _verified_token(token, _salt(), settings.SECRET_KEY)
    if parsed is None:
        raise WatchError("bad_token", 400)
    if parsed.user_id != user.pk:
        raise WatchError("wrong_user", 403)
    age = _epoch(now or timezone.now()) - parsed.issued_at
    if not 0 <= age <= TOKEN_MAX_AGE_SECONDS:
        raise WatchError("bad_token", 400)
    return parsed


# --- reports -----------------------------------------------------------------------------


def accept_report(
    user,
    body: Mapping[str, object],
    client: ClientInfo | None = None,
    now: datetime | None = None,
    *,
    block=_UNREAD,
) -> ReportResult:
    """Verify one report and store it; raises `WatchError` (nothing changed) on refusal.

    `block` is the learner's block (None: not blocked) when the caller has already read it
    for this request, so that a report reads it once.
    """
    now = now or timezone.now()
    if not isinstance(body, Mapping):
        raise WatchError("bad_body", 400, _("The report must be a JSON object."))
    policy = _policy()
    user_id = user.pk
    _rate_limit(user_id, now)
    token = read_token(body.get("token"), user, now)
    try:
        report = rules.parse_report(body)
    except rules.WatchInputError as exc:
        raise WatchError(
            exc.code, 400, _("The field %(field)s is not valid.") % {"field": exc.field}
        )
    resumed_at = _gate(user, now, block)
    media_len = report.end - report.start
    window_start = now - timedelta(seconds=max(0.0, media_len))
    _refuse_outside_window(user_id, window_start, now, policy)
    watch_rules = _watch_rules(token.max_rate, policy)
    client = client or ClientInfo()
    # One cache read for the row as the previous report left it and the sharing evidence of
    # the learner's neighbouring sessions; one cache write of both at the end.
    progress_key = _progress_key(user_id, token.block_key)
    evidence_keys = _evidence_keys(user_id, token)
    found = cache.get_many([progress_key, *evidence_keys.values()])
    cached_row = found.pop(progress_key, None)

    alias = router.db_for_write(WatchProgress)
    # Optimistic (ADR 0004): decide on the row as the previous accepted report left it (the
    # shared cache), write only if it is still that version (versioned UPDATE), else read
    # the database and decide once more; a report losing that race too answers 409.
    from_cache = True
    retries = 0
    while True:
        progress = _progress_from_cache(alias, cached_row) if from_cache else None
        if progress is None:
            from_cache = False
            progress, block_ended_at = _read_progress(alias, user_id, token.block_key, now)
        else:
            block_ended_at = None  # unknown here: the UPDATE checks that no block ended since
        if progress is None or progress.session_id != token.session_id:
            if from_cache:
                from_cache = False
                continue
            _note_superseded_playback(
                user_id, token, client, report, now, watch_rules, evidence_keys, found
            )
            raise WatchError("superseded", 409)
        previous = progress.last_report_at or progress.session_started_at or now
        restarted = _restart_after_break(previous, now, resumed_at, block_ended_at)
        if restarted is not None:
            previous = restarted
        decision = rules.decide(
            intervals=[tuple(i) for i in progress.intervals],
            last_seq=progress.last_seq,
            last_report=tuple(progress.last_report) if progress.last_report else None,
            since_previous_seconds=(now - previous).total_seconds(),
            report=report,
            duration=token.duration,
            rules=watch_rules,
        )
        if from_cache and (not decision.accepted or decision.duplicate):
            from_cache = False  # refusals and repeats are answered from the database's row
            continue
        if not decision.accepted:
            raise WatchError(decision.code, _status(decision))
        if decision.duplicate:
            break
        completing = decision.complete and progress.completed_at is None
        started = max(window_start, previous)
        if _apply(
            progress,
            decision,
            report,
            started,
            now,
            _window_gap(policy),
            alias,
            after_break=restarted is not None,
            completing=completing,
            unblocked_since=previous if from_cache else None,
        ):
            break
        if from_cache:
            from_cache = False  # a stale cache entry, or a block ended since: not a race
            continue
        retries += 1
        if retries > REPORT_RETRIES:
            raise WatchError("conflict", 409)

    completion_created = False
    if not decision.duplicate:
        if completing:
            completion_created = _complete(user, progress, token, now)
        written = {progress_key: _row_values(progress)}
        evidence = _note_for_sharing(
            user_id,
            token,
            client,
            now,
            start=_epoch(started),
            seq=report.seq,
            keys=evidence_keys,
            found=found,
        )
        if evidence is not None:
            written[evidence[0]] = evidence[1]
        cache.set_many(written, CACHE_SECONDS)
    if completion_created:
        _tell_host(user, token.block_key)
    return ReportResult(
        accepted=True,
        duplicate=decision.duplicate,
        watched_seconds=progress.watched_seconds,
        frontier=progress.frontier,
        complete=progress.completed_at is not None,
        completion_created=completion_created,
        intervals=[list(i) for i in progress.intervals],
    )


REPORT_RETRIES = 1


def _gate(user, now: datetime, block) -> datetime | None:
    """Refuse while learning is off or the learner blocked; else when learning was resumed."""
    from elearn_plugin.gate import learning_state  # noqa: PLC0415

    if block is _UNREAD:
        state = learning_state(user, now=now)
    else:
        state = learning_state(user, now=now, block=block)
    if state.refusal is not None:
        raise WatchError(str(state.refusal.code), 403, str(state.refusal.message))
    return state.resumed_at


def _restart_after_break(
    previous: datetime, now: datetime, *ends: datetime | None
) -> datetime | None:
    """When learning was allowed again after the previous accepted report, else None.

    The kill switch turned back on, or a block of the learner ended, after `previous`: the
    time in between was not learning time, so the report's budget (and its learning
    window) starts there. Never later than `now` (a block the cache has not seen yet).
    """
    later = [end for end in ends if end is not None and end > previous]
    if not later:
        return None
    return min(max(later), now)


def _status(decision) -> int:
    return 409 if decision.code == rules.STALE_SEQUENCE else 422


def _apply(
    progress: WatchProgress,
    decision,
    report,
    window_start,
    now,
    gap: float,
    alias: str,
    *,
    after_break: bool = False,
    completing: bool = False,
    unblocked_since: datetime | None = None,
) -> bool:
    """One versioned update of the progress row; False when another report won the race.

    With `unblocked_since` (a decision on the cached row) the update also requires that no
    block of the learner ended after that time (else the budget would have restarted).
    """
    intervals = [list(i) for i in decision.intervals]
    wall = max(0.0, (now - window_start).total_seconds())
    pending = _append_window(
        progress.pending_windows, _epoch(window_start), _epoch(now), gap, after_break
    )
    fields = {
        "intervals": intervals,
        "frontier": decision.frontier,
        "position": report.end,
        "watched_seconds": decision.watched_seconds,
        "wall_seconds": progress.wall_seconds + wall,
        "last_seq": report.seq,
        "last_report": [report.start, report.end],
        "last_report_at": now,
        "pending_windows": pending,
        "first_watched_at": progress.first_watched_at or window_start,
        "last_watched_at": now,
        "completed_at": progress.completed_at or (now if completing else None),
        "version": progress.version + 1,
    }
    updated = _update_progress(alias, progress, fields, unblocked_since=unblocked_since)
    if updated:
        for name, value in fields.items():
            setattr(progress, name, value)
    return updated


def _window_gap(policy=None) -> float:
    """Windows closer than twice the report interval are one viewing (ADR 0004, 5)."""
    return float((policy or _policy()).video.report_interval_seconds) * 2


# Every accepted report runs the same two statements. Compiling them through the ORM costs
# more than running them, so each is written once per database from the model's metadata
# (table, columns, quoting); values are still prepared by the model's own fields, and the row
# read back goes through the same converters the ORM applies (JSON, date-times) into
# `Model.from_db`. The read also returns, in the same round trip, when the learner's latest
# block (suspension, revocation, freeze) ended: time under a block is never report budget.
_REPORT_FIELDS = (
    "intervals",
    "frontier",
    "position",
    "watched_seconds",
    "wall_seconds",
    "last_seq",
    "last_report",
    "last_report_at",
    "pending_windows",
    "first_watched_at",
    "last_watched_at",
    "completed_at",
    "version",
)


@dataclass(frozen=True)
class _Statements:
    select: str
    update: str
    guarded_update: str  # `update` that also requires no block ended after a given time
    attnames: tuple[str, ...]
    converters: tuple  # per column: ((converter, column expression), ...)
    written: tuple  # the model fields of _REPORT_FIELDS, in the UPDATE's order
    block_kinds: tuple[str, ...]  # the sanction kinds that block, in the SELECT's order
    block_converters: tuple  # the converters of the block end column
    starts_field: object  # the sanction start field (prepares `now`)


def _converters(connection, field, table: str) -> tuple:
    col = field.get_col(table)
    found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    return tuple((converter, col) for converter in found)


@functools.cache
def _report_statements(alias: str, vendor: str) -> _Statements:
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415
    from elearn_plugin.standing.services import BLOCKING_KINDS  # noqa: PLC0415

    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = WatchProgress._meta
    sanctions = Sanction._meta

    def column(name: str, of=meta) -> str:
        return qn(of.get_field(name).column)

    fields = meta.concrete_fields
    table = qn(meta.db_table)
    kinds = tuple(str(kind) for kind in BLOCKING_KINDS)
    ends, lifted, starts = (column(n, sanctions) for n in ("ends_at", "lifted_at", "starts_at"))
    # A block ends at its end or when it is lifted, whichever comes first; one lifted before
    # it started never blocked. An open-ended block in force is the gate's refusal.
    block_end = (
        f"CASE WHEN {lifted} IS NULL THEN {ends} "
        f"WHEN {ends} IS NULL OR {lifted} < {ends} THEN {lifted} ELSE {ends} END"
    )
    # Identifiers come from the models' metadata, quoted; values are always parameters.
    latest_block_end = (  # noqa: S608
        "(SELECT MAX({}) FROM {} WHERE {} = %s AND {} IN ({}) AND {} <= %s "
        "AND ({} IS NULL OR {} > {}))"
    ).format(
        block_end,
        qn(sanctions.db_table),
        column("user", sanctions),
        column("kind", sanctions),
        ", ".join(["%s"] * len(kinds)),
        starts,
        lifted,
        lifted,
        starts,
    )
    select = "SELECT {}, {} FROM {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        ", ".join(qn(field.column) for field in fields),
        latest_block_end,
        table,
        column("user"),
        column("block_key"),
    )
    update = "UPDATE {} SET {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        table,
        ", ".join(f"{column(name)} = %s" for name in _REPORT_FIELDS),
        qn(meta.pk.column),
        column("version"),
    )
    guarded_update = (  # noqa: S608
        "{} AND NOT EXISTS (SELECT 1 FROM {} WHERE {} = %s AND {} IN ({}) AND {} <= %s "
        "AND ({} IS NULL OR {} > {}) AND {} > %s)"
    ).format(
        update,
        qn(sanctions.db_table),
        column("user", sanctions),
        column("kind", sanctions),
        ", ".join(["%s"] * len(kinds)),
        starts,
        lifted,
        lifted,
        starts,
        block_end,
    )
    return _Statements(
        select,
        update,
        guarded_update,
        tuple(field.attname for field in fields),
        tuple(_converters(connection, field, meta.db_table) for field in fields),
        tuple(meta.get_field(name) for name in _REPORT_FIELDS),
        kinds,
        _converters(connection, sanctions.get_field("ends_at"), sanctions.db_table),
        sanctions.get_field("starts_at"),
    )


def _convert(value, converters, connection):
    for converter, col in converters:
        value = converter(value, col, connection)
    return value


def _read_progress(
    alias: str, user_id: int, block_key: str, now: datetime
) -> tuple[WatchProgress | None, datetime | None]:
    """The learner's progress row (no lock) and when their latest block ended (or None)."""
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    started_by = statements.starts_field.get_db_prep_value(now, connection)
    params = [user_id, *statements.block_kinds, started_by, user_id, block_key]
    with connection.cursor() as cursor:
        cursor.execute(statements.select, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    *columns, block_end = row
    values = [
        _convert(value, converters, connection)
        for value, converters in zip(columns, statements.converters, strict=True)
    ]
    ended = _convert(block_end, statements.block_converters, connection)
    return WatchProgress.from_db(alias, statements.attnames, values), ended


def _update_progress(
    alias: str, progress: WatchProgress, fields: dict, *, unblocked_since: datetime | None = None
) -> bool:
    """UPDATE … WHERE version = the version read; False when another report changed it.

    With `unblocked_since`, also False when a block of the learner ended after that time.
    """
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    params = [
        field.get_db_prep_save(fields[field.name], connection=connection)
        for field in statements.written
    ]
    params += [progress.pk, progress.version]
    sql = statements.update
    if unblocked_since is not None:
        sql = statements.guarded_update
        prep = statements.starts_field.get_db_prep_value
        now = fields["last_report_at"]
        params += [
            progress.user_id,
            *statements.block_kinds,
            prep(now, connection),
            prep(unblocked_since, connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


# The row as the last accepted report (or session start) wrote it, in the shared cache: the
# next report decides on it without a read. Only a hint: the versioned UPDATE decides.
CACHE_SECONDS = SHARING_CACHE_SECONDS  # one write of both (set_many), one lifetime


def _progress_key(user_id: int, block_key: str) -> str:
    digest = hashlib.sha1(block_key.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"elearn:video:progress:{user_id}:{digest[:24]}"


@functools.cache
def _attnames() -> tuple[str, ...]:
    return tuple(field.attname for field in WatchProgress._meta.concrete_fields)


def _row_values(progress: WatchProgress) -> list:
    return [getattr(progress, name) for name in _attnames()]


def _progress_from_cache(alias: str, values: object) -> WatchProgress | None:
    attnames = _attnames()
    if not isinstance(values, list) or len(values) != len(attnames):
        return None
    return WatchProgress.from_db(alias, attnames, values)


def _remember_progress(progress: WatchProgress) -> None:
    cache.set(
        _progress_key(progress.user_id, progress.block_key), _row_values(progress), CACHE_SECONDS
    )


def _append_window(
    windows: Sequence[Sequence[float]],
    start: float,
    end: float,
    gap: float,
    after_break: bool = False,
):
    """The pending windows with [start, end] added, joined to the last one when it continues it.

    Joining here with the flush's own gap gives the flush the same learning periods, and keeps
    the row (read and written by every report) from growing with each report. A window after
    a break (learning off, a block) is never joined: it is marked `[start, end, 1]`.
    """
    pending = [list(w) for w in windows or []]
    if after_break:
        pending.append([start, end, 1])
    elif pending and pending[-1][0] <= start and start - pending[-1][1] <= gap:
        pending[-1][1] = max(pending[-1][1], end)
    else:
        pending.append([start, end])
    return pending


def _complete(user, progress: WatchProgress, token: TokenData, now: datetime) -> bool:
    """Write the immutable completion (once) and the session's learning time.

    The progress row already says `completed_at` (written by the report's own update), so a
    report racing this one reads it and completes nothing again.
    """
    with transaction.atomic():
        VideoCompletion.objects.bulk_create(
            [
                VideoCompletion(
                    user_id=user.pk,
                    course_key=progress.course_key,
                    block_key=progress.block_key,
                    watched_seconds=progress.watched_seconds,
                    wall_seconds=progress.wall_seconds,
                    first_watched_at=progress.first_watched_at or now,
                    last_watched_at=now,
                    completed_at=now,
                )
            ],
            ignore_conflicts=True,
        )
        created = VideoCompletion.objects.filter(
            user_id=user.pk, block_key=progress.block_key, completed_at=now
        ).exists()
        _flush_progress_windows(progress, token.session_id)
    return created


def _tell_host(user, block_key: str) -> None:
    """Host completion (outline checkmarks); never blocks our own record."""
    from elearn_plugin.host.completion import get_completion_adapter  # noqa: PLC0415

    try:
        get_completion_adapter().submit(user, block_key, 1.0)
    except ValueError:
        # Blocks outside the host's key scheme (standalone site) have no host completion.
        log.info("Block %s has no host completion key", block_key)


# --- learning time -----------------------------------------------------------------------


def _activity_specs(
    user_id: int,
    course_key: str,
    session_id: int,
    windows: Sequence[Sequence[float]],
) -> list:
    from elearn_plugin.learning.services import ActivitySpec  # noqa: PLC0415

    gap = _window_gap()
    specs = []
    for start, end in rules.coalesce_windows(windows, gap):
        seconds = int(round(end - start))
        if seconds <= 0:
            continue
        specs.append(
            ActivitySpec(
                user_id=user_id,
                course_key=course_key,
                kind="video",
                source_key=f"video:{session_id}:{int(start)}",
                started_at=_from_epoch(start),
                ended_at=_from_epoch(start + seconds),
                seconds=seconds,
                # Left empty: the learning writer classifies (P-18), with the learner's
                # permitted slots read once for the whole batch.
            )
        )
    return specs


def _flush_progress_windows(progress: WatchProgress, session_id: int) -> int:
    """Write the pending windows of one session as learning time and clear them.

    The windows are cleared only if the row is still the version read: a report that
    appended a window meanwhile keeps it pending (the written ones are dropped).
    """
    windows = list(progress.pending_windows or [])
    if not windows:
        return 0
    from elearn_plugin.learning.services import record_activities_bulk  # noqa: PLC0415

    created = record_activities_bulk(
        _activity_specs(progress.user_id, progress.course_key, session_id, windows)
    )
    cleared = WatchProgress.objects.filter(pk=progress.pk, version=progress.version).update(
        pending_windows=[], version=F("version") + 1
    )
    WatchSession.objects.filter(pk=session_id).update(learning_flushed_at=timezone.now())
    if cleared:
        progress.pending_windows = []
        progress.version += 1
    else:
        _drop_written_windows([{"pk": progress.pk, "pending_windows": windows}])
    return created


def flush_learning_time(idle_seconds: int = 600, now: datetime | None = None) -> int:
    """Write pending learning time of every session idle for `idle_seconds` (bulk, chunked).

    Safe to run often and twice: source keys are unique per session and window start.
    """
    from elearn_plugin.learning.services import record_activities_bulk  # noqa: PLC0415

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=idle_seconds)
    created = 0
    last_pk = 0
    while True:
        rows = list(
            WatchProgress.objects.filter(pk__gt=last_pk, last_report_at__lt=cutoff)
            .exclude(pending_windows=[])
            .order_by("pk")
            .values("pk", "user_id", "course_key", "session_id", "pending_windows", "version")[
                :CHUNK_SIZE
            ]
        )
        if not rows:
            return created
        last_pk = rows[-1]["pk"]
        specs = []
        for row in rows:
            specs.extend(
                _activity_specs(
                    row["user_id"], row["course_key"], row["session_id"], row["pending_windows"]
                )
            )
        with transaction.atomic():
            created += record_activities_bulk(specs)
            # Rows that received a report meanwhile keep their windows for the next run;
            # their already-written windows are skipped then by the unique source keys.
            unchanged = Q()
            for row in rows:
                unchanged |= Q(pk=row["pk"], version=row["version"])
            cleared = WatchProgress.objects.filter(unchanged).update(
                pending_windows=[], version=F("version") + 1
            )
            if cleared < len(rows):
                _drop_written_windows(rows)


def _drop_written_windows(rows: Sequence[dict]) -> None:
    """Rows that received a report during the flush: drop only the windows already written.

    Reports only append windows or extend the last one, so the written windows are the first
    of the list; an extension of the last written one stays pending as its own window. Rare.
    """
    written = {row["pk"]: row["pending_windows"] for row in rows}
    changed = (
        WatchProgress.objects.filter(pk__in=written)
        .exclude(pending_windows=[])
        .values("pk", "pending_windows", "version")
    )
    for row in changed:
        before = written[row["pk"]]
        current = row["pending_windows"]
        count = len(before)
        if not before or len(current) < count:
            continue
        keep = [list(w) for w in current[count:]]
        last_end = float(before[-1][1])
        if float(current[count - 1][1]) > last_end:
            keep.insert(0, [last_end, float(current[count - 1][1])])
        if keep != current:
            WatchProgress.objects.filter(pk=row["pk"], version=row["version"]).update(
                pending_windows=keep, version=row["version"] + 1
            )


# --- account sharing (P-4) ---------------------------------------------------------------


def _live_key(user_id: int, slot: int) -> str:
    return f"elearn:video:live:{user_id}:{slot}"


def _evidence_keys(user_id: int, token: TokenData) -> dict[int, str]:
    """The cache keys of this session's sharing slot and of its neighbours (none: no slot)."""
    if token.slot <= 0:
        return {}
    first, last = max(1, token.slot - SHARING_NEIGHBOURS), token.slot + SHARING_NEIGHBOURS
    return {slot: _live_key(user_id, slot) for slot in range(first, last + 1)}


def _different_places(a: dict, b: dict) -> bool:
    """Different addresses, or different browser sessions (both known)."""
    return a.get("ip", "") != b.get("ip", "") or bool(
        a.get("br") and b.get("br") and a["br"] != b["br"]
    )


def _note_for_sharing(
    user_id: int,
    token: TokenData,
    client: ClientInfo,
    now: datetime,
    *,
    start: float | None = None,
    seq: int = 0,
    media_seconds: float = 0.0,
    watch_rules: rules.WatchRules | None = None,
    keys: dict[int, str] | None = None,
    found: dict | None = None,
) -> tuple[str, dict] | None:
    """Compare this session's playback with its neighbours'; overlap = evidence (P-4).

    Each session writes only its own slot (no read-modify-write of shared state, so two
    devices reporting at once lose nothing) and reads the slots of the learner's sessions
    around it in one `get_many` (`found`, when the caller read them already). Returns the
    (key, entry) of its own slot for the caller to write; written here when `found` is None.
    `start` is the accepted report's window start; without it the report was refused as
    superseded and its playback counts only if plausible: newer than the session's last
    noted report and within the rate budget since then.
    """
    keys = _evidence_keys(user_id, token) if keys is None else keys
    if not keys:
        return None
    write_here = found is None
    if found is None:
        found = cache.get_many(list(keys.values()))
    own_key = keys[token.slot]
    end = _epoch(now)
    if start is None:
        own = found.get(own_key)
        if own is not None and own.get("s") == token.session_id:
            if seq <= int(own.get("q", 0)):
                return None
            previous = float(own["w"][1])
        else:
            previous = token.issued_at
        allowed = rules.allowed_media_seconds(end - previous, watch_rules or rules.WatchRules())
        if media_seconds > allowed + 1e-9:
            return None
        start = max(previous, end - media_seconds)
    mine = {
        "s": token.session_id,
        "q": seq,
        "ip": client.ip or "",
        "br": _hash(client.browser_key),
        "ua": _hash(client.user_agent),
        "w": [start, end],
        "b": token.block_key,
    }
    horizon = end - SHARING_CACHE_SECONDS
    for key, other in found.items():
        if key == own_key or not isinstance(other, dict) or other.get("s") == token.session_id:
            continue
        if other["w"][1] < horizon or not _different_places(other, mine):
            continue
        if rules.windows_overlap(tuple(other["w"]), tuple(mine["w"])):
            record_sharing_suspicion(user_id, int(other["s"]), token.session_id, other, mine)
    if write_here:
        cache.set(own_key, mine, SHARING_CACHE_SECONDS)
    return own_key, mine


def _note_superseded_playback(
    user_id: int,
    token: TokenData,
    client: ClientInfo,
    report,
    now: datetime,
    watch_rules,
    keys: dict[int, str],
    found: dict,
) -> None:
    """A report of a session another one superseded: no credit, but evidence of playback.

    Two places playing the same video at once supersede each other's sessions; the older
    one's reports still show it playing (P-4). A learner who moved to another device sends
    nothing more from the first one (P-19).
    """
    evidence = _note_for_sharing(
        user_id,
        token,
        client,
        now,
        seq=report.seq,
        media_seconds=report.end - report.start,
        watch_rules=watch_rules,
        keys=keys,
        found=found,
    )
    if evidence is not None:
        cache.set(evidence[0], evidence[1], SHARING_CACHE_SECONDS)


def record_sharing_suspicion(
    user_id: int, session_a: int, session_b: int, evidence_a: dict, evidence_b: dict
) -> bool:
    """Record two sessions that played at once from different places; True when new."""
    first, second = sorted((session_a, session_b))
    by_id = {session_a: evidence_a, session_b: evidence_b}

    def describe(entry: dict) -> dict:
        return {
            "ip": entry.get("ip", ""),
            "user_agent_hash": entry.get("ua", ""),
            "browser_hash": entry.get("br", ""),
            "block_key": entry.get("b", ""),
            "window": [_from_epoch(t).isoformat() for t in entry.get("w", [])],
        }

    rows = SharingSuspicion.objects.bulk_create(
        [
            SharingSuspicion(
                user_id=user_id,
                first_session_id=first,
                second_session_id=second,
                evidence={"first": describe(by_id[first]), "second": describe(by_id[second])},
            )
        ],
        ignore_conflicts=True,
    )
    created = SharingSuspicion.objects.filter(
        first_session_id=first, second_session_id=second, detected_at=rows[0].detected_at
    ).exists()
    if created:
        log.warning("Sharing suspicion for user id %s: sessions %s and %s", user_id, first, second)
    return created


# --- reading -----------------------------------------------------------------------------


def completion_of(user_id: int, block_key: str) -> VideoCompletion | None:
    """The stored completion record, the only proof that counts (P-17)."""
    return VideoCompletion.objects.filter(user_id=user_id, block_key=block_key).first()


def completed_blocks(user_ids: Iterable[int], course_key: str) -> dict[int, set[str]]:
    """Blocks each learner has completed in a course (one query)."""
    result: dict[int, set[str]] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        for uid, block in VideoCompletion.objects.filter(
            user_id__in=ids[start : start + CHUNK_SIZE], course_key=course_key
        ).values_list("user_id", "block_key"):
            result.setdefault(uid, set()).add(block)
    return result


def learner_state(user_id: int, block_key: str) -> dict:
    """Per-learner state for the mobile apps: what is watched and whether it is complete."""
    progress = WatchProgress.objects.filter(user_id=user_id, block_key=block_key).first()
    completion = completion_of(user_id, block_key)
    return {
        "watched_seconds": progress.watched_seconds if progress else 0.0,
        "frontier": progress.frontier if progress else 0.0,
        "position": progress.position if progress else 0.0,
        "intervals": progress.intervals if progress else [],
        "complete": completion is not None,
        "completed_at": completion.completed_at.isoformat() if completion else None,
    }


# --- built-in videos in required courses ---------------------------------------------------


def scan_builtin_videos(course_keys: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Find built-in `video` blocks in required courses and keep the list current.

    They cannot prove P-17, so the course team must replace them with tracked videos.
    """
    from elearn_plugin.courses.models import CourseKind, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.structure import get_structure_adapter  # noqa: PLC0415

    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED)
    if course_keys is not None:
        required = required.filter(course_key__in=list(course_keys))
    keys = list(required.values_list("course_key", flat=True))
    adapter = get_structure_adapter()
    found: dict[str, list[str]] = {}
    with transaction.atomic():
        for course_key in keys:
            blocks = adapter.blocks_of_type(course_key, "video")
            replace_builtin_findings(course_key, blocks)
            if blocks:
                found[course_key] = blocks
    return found


def replace_builtin_findings(course_key: str, blocks: Sequence[str]) -> None:
    """Make the stored findings of one required course exactly `blocks` (P-17)."""
    BuiltinVideoFinding.objects.filter(course_key=course_key).exclude(
        block_key__in=list(blocks)
    ).delete()
    BuiltinVideoFinding.objects.bulk_create(
        [BuiltinVideoFinding(course_key=course_key, block_key=b) for b in blocks],
        ignore_conflicts=True,
    )
