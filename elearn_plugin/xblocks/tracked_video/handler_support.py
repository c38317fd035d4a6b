"""The plumbing of the block's JSON handlers: who is asking, the JSON body, the answer.

Every learner handler of `elearn_video` takes a JSON object by POST and acts on the
caller's own records only; refusals (`WatchError`) become 4xx answers with a message.
"""

from __future__ import annotations

import functools
import json

from webob import Response
from xblock.core import XBlock

from elearn_plugin.xblocks.tracked_video.fields import _

MAX_HANDLER_BODY = 4096


def _require_user(request):
    """The authenticated learner of a handler request (LMS, workbench and the apps' WebView).

    Handlers act on the caller's own records only, so the role check is REPORT_WATCH on
    themselves; a blocked account is refused here as the REST endpoints refuse it (P-8, P-31).
    """
    from elearn_plugin.permissions import Action, check, is_blocked  # noqa: PLC0415
    from elearn_plugin.video.services import WatchError  # noqa: PLC0415

    user = getattr(getattr(request, "_request", None), "user", None)
    if user is None or not user.is_authenticated:
        raise WatchError("not_authenticated", 401)
    if is_blocked(user) or not check(user, Action.REPORT_WATCH, user.pk):
        from django.utils.translation import gettext  # noqa: PLC0415

        raise WatchError("forbidden", 403, gettext("You do not have permission to do this."))
    return user


def json_request_handler(func):
    """A POST handler taking a JSON object; refusals become 4xx answers with a message."""

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self, request, suffix=""):
        from elearn_plugin.video.services import WatchError  # noqa: PLC0415

        if request.method != "POST":
            return _json_response({"ok": False, "code": "method_not_allowed"}, 405)
        if len(request.body or b"") > MAX_HANDLER_BODY:
            return _json_response({"ok": False, "code": "too_large"}, 413)
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            message = self._gettext(_("The request must be a JSON object."))
            return _json_response({"ok": False, "code": "bad_body", "message": message}, 400)
        try:
            return _json_response(func(self, request, data), 200)
        except WatchError as exc:
            return _json_response({"ok": False, **exc.as_dict()}, exc.status)

    return wrapper


def _json_response(payload: dict, status: int) -> Response:
    return Response(
        body=json.dumps(payload).encode("utf-8"),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )
