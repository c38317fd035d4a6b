"""The only writers of the video domain: sessions, verified progress, completions (P-17, P-4).

A report is decided by `elearn_plugin.rules.watch` against the stored progress and the
server clock; an accepted report costs two queries (locked read, conditional update). Learning
time is written per session when it is superseded or completes, or by the flush job (ADR 0004).
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
    SharingSuspicion,
    TrackedVideo,
    VideoCompletion,
    WatchProgress,
    WatchSession,
)

log = logging.getLogger(__name__)

TOKEN_MAX_AGE_SECONDS = 12 * 3600
SHARING_CACHE_SECONDS = 3600
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


def _refuse_if_gated(user, now: datetime) -> None:
    """The kill switch and sanctions, read through the shared core's caches (P-34, P-8)."""
    from elearn_plugin.gate import learning_refusal  # noqa: PLC0415

    refusal = learning_refusal(user, now=now)
    if refusal is not None:
        raise WatchError(str(refusal.code), 403, str(refusal.message))


def _classify(user_id: int, start: datetime, end: datetime) -> str:
    from elearn_plugin.learning.services import permitted_slots  # noqa: PLC0415
    from elearn_plugin.rules.calendar import classify_interval  # noqa: PLC0415

    policy = _policy()
    permitted = permitted_slots(user_id, start - timedelta(days=1), end + timedelta(days=1))
    result = classify_interval(
        start, end, policy.calendar, policy.learning_windows, policy.tz, permitted
    )
    return str(getattr(result, "value", result))


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
    if cache.add(key, 1, 120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, 120)
            count = 1
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
    """Record or refresh the authored facts of a block; True when the block is new."""
    spec = clean_video_spec(spec)
    video, created = TrackedVideo.objects.update_or_create(
        block_key=spec.block_key,
        defaults={
            "course_key": spec.course_key,
            "title": spec.title,
            "duration": spec.duration,
            "max_rate": spec.max_rate,
            "credited_seconds": spec.credited_seconds,
        },
    )
    return video, created


def record_media_duration(block_key: str, reported: object) -> bool:
    """Store the media's own duration; True when it disagrees with the authored one.

    A mismatch is flagged to the course team (admin list), never used to change the rules.
    """
    try:
        value = rules.finite_number(reported, "media_duration", low=0.0, high=1e6)
    except rules.WatchInputError as exc:
        raise WatchError("bad_media_duration", 400, _("The media duration is not valid.")) from exc
    video = TrackedVideo.objects.filter(block_key=block_key).first()
    if video is None:
        raise WatchError("unknown_video", 404)
    tolerance = _policy().video.duration_mismatch_seconds
    mismatch = rules.duration_mismatch(video.duration, value, tolerance)
    TrackedVideo.objects.filter(pk=video.pk).update(
        media_duration=value, duration_mismatch=mismatch
    )
    if mismatch:
        log.warning("Media duration differs from the authored one for block %s", block_key)
    return mismatch


# --- sessions ----------------------------------------------------------------------------


def start_session(
    user, spec: VideoSpec, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a new watch session; it supersedes the learner's previous one for this block."""
    now = now or timezone.now()
    spec = clean_video_spec(spec)
    _refuse_if_gated(user, now)
    _refuse_outside_window(user.pk, now, now + timedelta(seconds=1))
    client = client or ClientInfo()
    register_video(spec)
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
    token = signing.dumps(
        {
            "s": session.pk,
            "u": user.pk,
            "b": spec.block_key,
            "c": spec.course_key,
            "d": spec.duration,
            "r": spec.max_rate,
            "t": _epoch(now),
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


def start_session_for_block(
    user, block_key: object, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a session from the server's record of the block (plain endpoint, mobile apps)."""
    key = _check_key(block_key, "block key")
    video = TrackedVideo.objects.filter(block_key=key).first()
    if video is None:
        raise WatchError("unknown_video", 404)
    spec = VideoSpec(
        video.block_key,
        video.course_key,
        video.duration,
        video.max_rate,
        video.title,
        video.credited_seconds,
    )
    return start_session(user, spec, client, now)


def read_token(token: object, user, now: datetime | None = None) -> TokenData:
    """Verify the signed watch token and that it belongs to `user`."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        raise WatchError("bad_token", 400)
    try:
        data = signing.loads(token, salt=_salt())
        parsed = TokenData(
            session_id=int(data["s"]),
            user_id=int(data["u"]),
            block_key=str(data["b"]),
            course_key=str(data["c"]),
            duration=float(data["d"]),
            max_rate=float(data["r"]),
            issued_at=float(data["t"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
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
) -> ReportResult:
    """Verify one report and store it; raises `WatchError` (nothing changed) on refusal."""
    now = now or timezone.now()
    if not isinstance(body, Mapping):
        raise WatchError("bad_body", 400, _("The report must be a JSON object."))
    policy = _policy()
    _rate_limit(user.pk, now)
    token = read_token(body.get("token"), user, now)
    try:
        report = rules.parse_report(body)
    except rules.WatchInputError as exc:
        raise WatchError(
            exc.code, 400, _("The field %(field)s is not valid.") % {"field": exc.field}
        )
    _refuse_if_gated(user, now)
    media_len = report.end - report.start
    window_start = now - timedelta(seconds=max(0.0, media_len))
    _refuse_outside_window(user.pk, window_start, now, policy)
    watch_rules = _watch_rules(token.max_rate, policy)

    completion_created = False
    alias = router.db_for_write(WatchProgress)
    with transaction.atomic(using=alias, savepoint=False):
        progress = _locked_progress(alias, user.pk, token.block_key)
        if progress is None or progress.session_id != token.session_id:
            refusal = WatchError("superseded", 409)
        else:
            previous = progress.last_report_at or progress.session_started_at or now
            decision = rules.decide(
                intervals=[tuple(i) for i in progress.intervals],
                last_seq=progress.last_seq,
                last_report=tuple(progress.last_report) if progress.last_report else None,
                since_previous_seconds=(now - previous).total_seconds(),
                report=report,
                duration=token.duration,
                rules=watch_rules,
            )
            refusal = None if decision.accepted else WatchError(decision.code, _status(decision))
        if refusal is None and not decision.duplicate:
            window_start = max(window_start, previous)
            updated = _apply(
                progress, decision, report, window_start, now, _window_gap(policy), alias
            )
            if not updated:
                refusal = WatchError("conflict", 409)
            elif decision.complete and progress.completed_at is None:
                completion_created = _complete(user, progress, token, now)
    if refusal is not None:
        raise refusal
    if not decision.duplicate:
        _note_for_sharing(user.pk, token, client or ClientInfo(), window_start, now)
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


def _status(decision) -> int:
    return 409 if decision.code == rules.STALE_SEQUENCE else 422


def _apply(
    progress: WatchProgress, decision, report, window_start, now, gap: float, alias: str
) -> bool:
    """One conditional update of the progress row; False when another report won the race."""
    intervals = [list(i) for i in decision.intervals]
    wall = max(0.0, (now - window_start).total_seconds())
    pending = _append_window(progress.pending_windows, _epoch(window_start), _epoch(now), gap)
    fields = {
        "intervals": intervals,
        "frontier": rules.frontier(decision.intervals),
        "position": report.end,
        "watched_seconds": rules.covered(decision.intervals),
        "wall_seconds": progress.wall_seconds + wall,
        "last_seq": report.seq,
        "last_report": [report.start, report.end],
        "last_report_at": now,
        "pending_windows": pending,
        "first_watched_at": progress.first_watched_at or window_start,
        "last_watched_at": now,
        "version": progress.version + 1,
    }
    updated = _update_progress(alias, progress, fields)
    if updated:
        for name, value in fields.items():
            setattr(progress, name, value)
    return updated


def _window_gap(policy=None) -> float:
    """Windows closer than twice the report interval are one viewing (ADR 0004, 5)."""
    return float((policy or _policy()).video.report_interval_seconds) * 2


# Every accepted report runs the same two statements. Compiling them through the ORM costs
# more than running them, so each is written once per database from the model's metadata
# (table, columns, quoting, FOR UPDATE where the database has it); values are still prepared
# by the model's own fields, and the row read back goes through the same converters the ORM
# applies (JSON, date-times) into `Model.from_db`.
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
    "version",
)


@dataclass(frozen=True)
class _Statements:
    select: str
    update: str
    attnames: tuple[str, ...]
    converters: tuple  # per column: ((converter, column expression), ...)
    written: tuple  # the model fields of _REPORT_FIELDS, in the UPDATE's order


@functools.cache
def _report_statements(alias: str, vendor: str) -> _Statements:
    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = WatchProgress._meta

    def column(name: str) -> str:
        return qn(meta.get_field(name).column)

    fields = meta.concrete_fields
    table = qn(meta.db_table)
    # Identifiers come from the model's metadata, quoted; values are always parameters.
    select = "SELECT {} FROM {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        ", ".join(qn(field.column) for field in fields), table, column("user"), column("block_key")
    )
    if connection.features.has_select_for_update:
        select += " FOR UPDATE"
    update = "UPDATE {} SET {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        table,
        ", ".join(f"{column(name)} = %s" for name in _REPORT_FIELDS),
        qn(meta.pk.column),
        column("version"),
    )
    converters = []
    for field in fields:
        col = field.get_col(meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append(tuple((converter, col) for converter in found))
    return _Statements(
        select,
        update,
        tuple(field.attname for field in fields),
        tuple(converters),
        tuple(meta.get_field(name) for name in _REPORT_FIELDS),
    )


def _locked_progress(alias: str, user_id: int, block_key: str) -> WatchProgress | None:
    """The learner's progress row, locked until the end of the transaction."""
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statements.select, [user_id, block_key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, converters in zip(row, statements.converters, strict=True):
        for converter, col in converters:
            value = converter(value, col, connection)
        values.append(value)
    return WatchProgress.from_db(alias, statements.attnames, values)


def _update_progress(alias: str, progress: WatchProgress, fields: dict) -> bool:
    """UPDATE … WHERE version = the version read; False when another report changed it."""
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    params = [
        field.get_db_prep_save(fields[field.name], connection=connection)
        for field in statements.written
    ]
    with connection.cursor() as cursor:
        cursor.execute(statements.update, [*params, progress.pk, progress.version])
        return cursor.rowcount == 1


def _append_window(windows: Sequence[Sequence[float]], start: float, end: float, gap: float):
    """The pending windows with [start, end] added, joined to the last one when it continues it.

    Joining here with the flush's own gap gives the flush the same learning periods, and keeps
    the row (read and written by every report) from growing with each report.
    """
    pending = [list(w) for w in windows or []]
    if pending and pending[-1][0] <= start and start - pending[-1][1] <= gap:
        pending[-1][1] = max(pending[-1][1], end)
    else:
        pending.append([start, end])
    return pending


def _complete(user, progress: WatchProgress, token: TokenData, now: datetime) -> bool:
    """Write the immutable completion (once) and the session's learning time."""
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
    WatchProgress.objects.filter(pk=progress.pk).update(completed_at=now)
    progress.completed_at = now
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
    for start, end in rules.coalesce_windows([(w[0], w[1]) for w in windows], gap):
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
                classification=_classify(user_id, _from_epoch(start), _from_epoch(start + seconds)),
            )
        )
    return specs


def _flush_progress_windows(progress: WatchProgress, session_id: int) -> int:
    """Write the pending windows of one session as learning time and clear them."""
    windows = list(progress.pending_windows or [])
    if not windows:
        return 0
    from elearn_plugin.learning.services import record_activities_bulk  # noqa: PLC0415

    created = record_activities_bulk(
        _activity_specs(progress.user_id, progress.course_key, session_id, windows)
    )
    WatchProgress.objects.filter(pk=progress.pk).update(pending_windows=[])
    WatchSession.objects.filter(pk=session_id).update(learning_flushed_at=timezone.now())
    progress.pending_windows = []
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


def _note_for_sharing(
    user_id: int, token: TokenData, client: ClientInfo, start: datetime, end: datetime
) -> None:
    """Keep each live session's last accepted window in the cache; overlap = evidence."""
    key = f"elearn:video:live:{user_id}"
    live: dict = cache.get(key) or {}
    mine = {
        "ip": client.ip or "",
        "br": _hash(client.browser_key),
        "ua": _hash(client.user_agent),
        "w": [_epoch(start), _epoch(end)],
        "b": token.block_key,
    }
    horizon = _epoch(end) - SHARING_CACHE_SECONDS
    live = {sid: entry for sid, entry in live.items() if entry["w"][1] >= horizon}
    for other_id, other in live.items():
        if int(other_id) == token.session_id:
            continue
        different = other["ip"] != mine["ip"] or (
            other["br"] and mine["br"] and other["br"] != mine["br"]
        )
        if different and rules.windows_overlap(tuple(other["w"]), tuple(mine["w"])):
            record_sharing_suspicion(user_id, int(other_id), token.session_id, other, mine)
    live[str(token.session_id)] = mine
    cache.set(key, live, SHARING_CACHE_SECONDS)


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
