"""Endpoints of the tracked video: watch reports, sessions, learner state, permitted slots.

The report endpoint is a plain plugin endpoint: authentication classes come from the setting
`ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES` (session + CSRF in the browser, JWT/bearer in the
LMS for the mobile apps); role and scope through `elearn_plugin.permissions`.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from elearn_plugin.permissions import Action, ElearnPermission, elearn_required, require
from elearn_plugin.video import services
from elearn_plugin.video.services import ClientInfo, WatchError

MAX_BODY_BYTES = 4096
DEFAULT_AUTHENTICATION = ("rest_framework.authentication.SessionAuthentication",)


def _authenticators():
    paths = getattr(settings, "ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES", DEFAULT_AUTHENTICATION)
    return [import_string(path)() for path in paths]


def _too_large(request) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > MAX_BODY_BYTES


def _json_body(request) -> dict:
    if len(request.body) > MAX_BODY_BYTES:
        raise WatchError("too_large", 413, _("The request body is larger than 4 KB."))
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise WatchError("bad_body", 400, _("The request body is not valid JSON."))
    if not isinstance(data, dict):
        raise WatchError("bad_body", 400, _("The report must be a JSON object."))
    return data


class _BodyLeftToView(BaseParser):
    """Parses nothing: the views read the body once, with their own size and shape checks.

    Session authentication's CSRF check looks at `request.POST`, which would otherwise make
    the framework parse every report's JSON a second time.
    """

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        return {}


class _WatchView(APIView):
    """Common parts: configurable authentication, REPORT_WATCH on the learner's own data."""

    permission_classes = [ElearnPermission]
    parser_classes = [_BodyLeftToView]
    elearn_action = Action.REPORT_WATCH

    def get_authenticators(self):
        return _authenticators()

    def initial(self, request, *args, **kwargs):
        if _too_large(request):
            raise _TooLarge()
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, _TooLarge):
            return Response(
                {"code": "too_large", "message": _("The request body is larger than 4 KB.")},
                status=413,
            )
        if isinstance(exc, WatchError):
            return Response(exc.as_dict(), status=exc.status)
        return super().handle_exception(exc)


class _TooLarge(Exception):
    pass


class ReportView(_WatchView):
    """POST one watch report: {token, seq, start, end}."""

    def post(self, request):
        body = _json_body(request._request)
        result = services.accept_report(request.user, body, ClientInfo.from_request(request))
        return Response(result.as_dict(), status=200)


class SessionView(_WatchView):
    """POST {block_key}: issue a watch session from the server's record of the block."""

    def post(self, request):
        body = _json_body(request._request)
        grant = services.start_session_for_block(
            request.user, body.get("block_key"), ClientInfo.from_request(request)
        )
        return Response(grant.as_dict(), status=201)


class StateView(_WatchView):
    """GET ?block_key=: the learner's own verified progress of a block."""

    def get(self, request):
        key = request.query_params.get("block_key", "")
        if not isinstance(key, str) or not services._KEY_RE.match(key):
            raise WatchError("bad_key", 400, _("The block key is not valid."))
        return Response(services.learner_state(request.user.pk, key))


# --- permitted slots (P-18): granted by a training contact for their units, or by HR ------


def _parse_when(value: object, field: str) -> datetime:
    """An ISO date-time; without an offset it is read in the policy's time zone."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise WatchError(
            "bad_time",
            400,
            _("%(field)s must be a date and time (YYYY-MM-DD HH:MM).") % {"field": field},
        )
    if timezone.is_naive(parsed):
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        parsed = timezone.make_aware(parsed, get_policy().tz)
    return parsed


def _learner_id(value: object) -> int:
    if isinstance(value, bool):
        value = None
    try:
        learner_id = int(value)
    except (TypeError, ValueError):
        learner_id = 0
    if learner_id <= 0:
        raise WatchError("bad_user", 400, _("Choose a learner."))
    return learner_id


def grant_slot_from(actor, data) -> object:
    """Check role and scope for the learner, then grant through the learning service."""
    from elearn_plugin.learning.services import LearningDataError, grant_slot  # noqa: PLC0415

    learner_id = _learner_id(data.get("user_id"))
    if not get_user_model().objects.filter(pk=learner_id).exists():
        raise WatchError("bad_user", 400, _("Choose a learner."))
    require(actor, Action.GRANT_LEARNING_SLOT, learner_id)
    starts_at = _parse_when(data.get("starts_at"), _("Start"))
    ends_at = _parse_when(data.get("ends_at"), _("End"))
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise WatchError("bad_reason", 400, _("A reason is required."))
    try:
        return grant_slot(learner_id, starts_at, ends_at, actor=actor, reason=reason.strip())
    except LearningDataError as exc:
        raise WatchError("bad_slot", 400, str(exc))


class GrantSlotView(APIView):
    """POST {user_id, starts_at, ends_at, reason}: allow a learner to study in working time."""

    permission_classes = [ElearnPermission]
    elearn_action = Action.GRANT_LEARNING_SLOT

    def post(self, request):
        try:
            slot = grant_slot_from(request.user, request.data)
        except WatchError as exc:
            return Response(exc.as_dict(), status=exc.status)
        except PermissionDenied:
            return Response(
                {"code": "forbidden", "message": _("You do not have permission to do this.")},
                status=403,
            )
        return Response(
            {
                "id": slot.pk,
                "user_id": slot.user_id,
                "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
            },
            status=201,
        )


@elearn_required(Action.GRANT_LEARNING_SLOT)
def grant_slot_page(request):
    """The training contact's page to grant a permitted slot."""
    context = {"error": "", "slot": None, "values": {}}
    status = 200
    if request.method == "POST":
        context["values"] = request.POST
        try:
            context["slot"] = grant_slot_from(request.user, request.POST)
        except WatchError as exc:
            context["error"], status = exc.message, exc.status
        except PermissionDenied:
            context["error"] = _("You may grant slots only to learners of your units.")
            status = 403
    return render(request, "elearn_plugin/video/grant_slot.html", context, status=status)
