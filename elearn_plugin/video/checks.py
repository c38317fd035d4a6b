"""The checks that refuse a watch request before anything is written (P-8, P-18, P-31, P-34).

Shared by the start of a session, the report and the media-duration evidence: the shape of
a key, the learning gate (kill switch, sanctions), course access, the learning windows and
the report rate limit. Also the one read of the runtime policy these modules use.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.video.errors import MESSAGES, WatchError
from elearn_plugin.video.specs import _epoch

_KEY_RE = re.compile(r"^[\w:+.@/-]{3,255}$")


def _policy():
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return get_policy()


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
    limit = int(setting("ELEARN_VIDEO_RATE_LIMIT"))
    key = f"elearn:video:rate:{user_id}:{int(_epoch(now) // 60)}"
    try:
        count = cache.incr(key)  # one round trip for every report but the minute's first
    except ValueError:
        count = 1 if cache.add(key, 1, 120) else cache.incr(key)
    if count > limit:
        raise WatchError("rate_limited", 429)
