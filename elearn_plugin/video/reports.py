"""Watch reports: verify one report against the stored progress and the server clock (P-17).

A report is decided by `elearn_plugin.rules.watch` on the progress row as the previous
accepted report left it (the shared cache, `progress_cache`) or as the database has it
(`fast_report_sql`), and written with one versioned update, decided again once when another
report of the learner won the race (ADR 0004). Time while learning was off or the learner
blocked is never report budget. An accepted report also leaves its sharing evidence, its
pending learning window and, at the end of the video, the completion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import killswitch
from elearn_plugin.rules import watch as rules
from elearn_plugin.video.checks import _UNREAD, _policy, _rate_limit, _refuse_outside_window
from elearn_plugin.video.completion import _complete, _tell_host
from elearn_plugin.video.errors import WatchError
from elearn_plugin.video.fast_report_sql import _read_progress, _update_progress
from elearn_plugin.video.learning_time import _append_window, _window_gap
from elearn_plugin.video.models import WatchProgress
from elearn_plugin.video.progress_cache import (
    CACHE_SECONDS,
    _progress_from_cache,
    _progress_key,
    _row_values,
)
from elearn_plugin.video.sharing import (
    _evidence_keys,
    _note_for_sharing,
    _note_superseded_playback,
)
from elearn_plugin.video.specs import ClientInfo, _epoch
from elearn_plugin.video.tokens import read_token

# A report that lost the race to another report of the learner is decided again this many
# times, then answered 409.
REPORT_RETRIES = 1


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


def _watch_rules(max_rate: float, policy=None):
    video = (policy or _policy()).video
    return rules.WatchRules(
        end_tolerance=video.end_tolerance_seconds,
        start_tolerance=video.start_tolerance_seconds,
        rate_slack=video.rate_slack,
        max_rate=min(max_rate, video.max_playback_rate),
    )


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
    # One cache read for the kill switch, the row as the previous report left it and the
    # sharing evidence of the learner's neighbouring sessions; one cache write at the end.
    progress_key = _progress_key(user_id, token.block_key)
    evidence_keys = _evidence_keys(user_id, token)
    found = cache.get_many([killswitch.CACHE_KEY, progress_key, *evidence_keys.values()])
    resumed_at = _gate(user, now, block, found.pop(killswitch.CACHE_KEY, None))
    cached_row = found.pop(progress_key, None)
    media_len = report.end - report.start
    window_start = now - timedelta(seconds=max(0.0, media_len))
    _refuse_outside_window(user_id, window_start, now, policy)
    watch_rules = _watch_rules(token.max_rate, policy)
    client = client or ClientInfo()

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


def _gate(user, now: datetime, block, switch) -> datetime | None:
    """Refuse while learning is off or the learner blocked; else when learning was resumed."""
    from elearn_plugin.gate import learning_state  # noqa: PLC0415

    if block is _UNREAD:
        state = learning_state(user, now=now, switch=switch)
    else:
        state = learning_state(user, now=now, block=block, switch=switch)
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
