"""Endpoints of the tracked video's player: watch reports, sessions, learner state.

Authentication classes come from the setting `ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES`
(session + CSRF in the browser, JWT/bearer in the LMS for the mobile apps); role and scope
through `elearn_plugin.permissions`. The report endpoint, called every few seconds by every
player, is a plain Django view doing the same checks as the framework's views (ADR 0004).
The permitted-slot endpoints of training contacts and HR are in `learning.views`.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.authentication import CSRFCheck, SessionAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from elearn_plugin.gate import block_of
from elearn_plugin.permissions import Action, ElearnPermission, check
from elearn_plugin.video import services
from elearn_plugin.video.checks import _KEY_RE
from elearn_plugin.video.services import ClientInfo, WatchError

MAX_BODY_BYTES = 4096
DEFAULT_AUTHENTICATION = ("rest_framework.authentication.SessionAuthentication",)
AUTHENTICATION_SETTING = "ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES"


def _configured_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, AUTHENTICATION_SETTING, DEFAULT_AUTHENTICATION))


@functools.lru_cache(maxsize=8)
def _authentication_classes(paths: tuple[str, ...]) -> tuple[type, ...]:
    """The configured classes, imported once per configuration (not once per request)."""
    return tuple(import_string(path) for path in paths)


def _authenticators():
    return [cls() for cls in _authentication_classes(_configured_paths())]


def _too_large(request) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > MAX_BODY_BYTES


def _json_body(request) -> dict:
    return _parse_body(request.body)


def _parse_body(raw: bytes) -> dict:
    if len(raw) > MAX_BODY_BYTES:
        raise WatchError("too_large", 413, _("The request body is larger than 4 KB."))
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: JSON nested deeper than the parser's stack (a few KB can do it).
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

    def get_elearn_target(self):
        return self.request.user.pk  # the learner's own watch data

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


class _Refused(Exception):
    """An authentication or permission refusal, answered like the framework answers it."""

    def __init__(self, exc: exceptions.APIException, authenticate_header: str = ""):
        self.exc = exc
        self.authenticate_header = authenticate_header
        super().__init__(str(exc.detail))


def _encode_default(value: object) -> str:
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# One encoder for every answer of the report endpoint: compact UTF-8, as the framework's
# JSON renderer writes it, with no NaN or Infinity.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_encode_default
)


def _json_response(data: dict, status: int, headers: dict | None = None) -> HttpResponse:
    return HttpResponse(
        _ENCODER.encode(data).encode("utf-8"),
        content_type="application/json",
        status=status,
        headers=headers,
    )


def _refusal_response(refused: _Refused) -> HttpResponse:
    """The framework's answer to its own exception: {"detail"}, 401 only with a challenge."""
    exc = refused.exc
    status = exc.status_code
    headers = {}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        if refused.authenticate_header:
            headers["WWW-Authenticate"] = refused.authenticate_header
        else:
            status = 403
    if isinstance(exc, exceptions.MethodNotAllowed):
        headers["Allow"] = "POST"
    return _json_response({"detail": exc.detail}, status, headers)


@functools.lru_cache(maxsize=8)
def _report_authentication(paths: tuple[str, ...]) -> tuple[tuple, bool]:
    """The configured authenticators (made once) and whether the plain session one is among them.

    Only Django REST framework's own `SessionAuthentication` is run natively; a subclass
    (which may read other cookies) goes through the framework like the token classes.
    """
    classes = _authentication_classes(paths)
    native_session = SessionAuthentication in classes and not any(
        issubclass(cls, SessionAuthentication) and cls is not SessionAuthentication
        for cls in classes
    )
    return tuple(cls() for cls in classes), native_session


def _csrf_failure(request: HttpRequest) -> str | None:
    """Django's CSRF check, run the way the framework's session authentication runs it."""
    csrf = CSRFCheck(_no_response)
    # process_request puts the cookie's secret in request.META, read by process_view.
    csrf.process_request(request)
    return csrf.process_view(request, None, (), {})


def _no_response(request) -> None:  # pragma: no cover - never called by the CSRF check
    return None


def _framework_request(request: HttpRequest, authenticators: tuple) -> Request:
    return Request(request, parsers=[_BodyLeftToView()], authenticators=list(authenticators))


def _report_user(request: HttpRequest):
    """The authenticated user of a report, or `_Refused` (401/403) as the framework answers.

    A browser's session needs a valid CSRF token; a client sending an `Authorization` header
    is authenticated by the configured classes, in their order, through the framework.
    """
    authenticators, native_session = _report_authentication(_configured_paths())
    if native_session and "HTTP_AUTHORIZATION" not in request.META:
        user = getattr(request, "user", None)
        if user and user.is_active:
            reason = _csrf_failure(request)
            if reason:
                raise _Refused(exceptions.PermissionDenied(f"CSRF Failed: {reason}"))
            # The authentication middleware's lazy wrapper, evaluated above: the report reads
            # the user a dozen times, each through the wrapper's attribute proxy otherwise.
            return getattr(user, "_wrapped", user)
        framework = None
    else:
        framework = _framework_request(request, authenticators)
        try:
            user = framework.user
        except exceptions.APIException as exc:
            raise _Refused(exc, _authenticate_header(request, framework, authenticators))
        if framework.successful_authenticator is not None:
            # As the framework does: the rest of the request sees the authenticated user.
            request.user = user
            return user
    raise _Refused(
        exceptions.NotAuthenticated(), _authenticate_header(request, framework, authenticators)
    )


def _authenticate_header(request: HttpRequest, framework: Request | None, authenticators) -> str:
    """The first class's WWW-Authenticate value: 401 with it, 403 without (as the framework)."""
    if not authenticators:
        return ""
    framework = framework or _framework_request(request, authenticators)
    return authenticators[0].authenticate_header(framework) or ""


@csrf_exempt
def report(request: HttpRequest) -> HttpResponse:
    """POST one watch report: {token, seq, start, end} (P-17).

    Exempt from the CSRF middleware only so that token clients without a CSRF cookie can post;
    a session-authenticated report passes the same CSRF check in `_report_user`. The order of
    the checks is the framework views': size, authentication, role, method, then the body.
    """
    if _too_large(request):
        return _json_response(
            {"code": "too_large", "message": _("The request body is larger than 4 KB.")}, 413
        )
    try:
        # Read once, before the CSRF check may parse a form body from the stream.
        raw = request.body
        user = _report_user(request)
        now = timezone.now()
        # Read once for the whole report: this refusal and the learning gate both need it.
        block = block_of(user, now, request=request)
        if block is not None:
            # Session logins are ended by the middleware; tokens and JWTs only meet this.
            raise _Refused(
                exceptions.PermissionDenied(_("Your account cannot be used at the moment."))
            )
        if not check(user, Action.REPORT_WATCH, user.pk):
            raise _Refused(exceptions.PermissionDenied(ElearnPermission.message))
        if request.method != "POST":
            raise _Refused(exceptions.MethodNotAllowed(request.method))
        result = services.accept_report(
            user, _parse_body(raw), ClientInfo.from_request(request), now, block=block
        )
    except _Refused as refused:
        return _refusal_response(refused)
    except WatchError as exc:
        return _json_response(exc.as_dict(), exc.status)
    return _json_response(result.as_dict(), 200)


class ReportView:
    """The report endpoint for the URL configuration: `ReportView.as_view()` is `report`."""

    @staticmethod
    def as_view():
        return report


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
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise WatchError("bad_key", 400, _("The block key is not valid."))
        return Response(services.learner_state(request.user.pk, key))
