"""Sign-in answers and open sessions of blocked learners (P-8, P-2).

- `BlockedSessionMiddleware` closes sessions opened before the sanction: on the next request
  the user is signed out (the platform's login cookies, JWT ones included, are deleted too)
  and shown why, with status 403. Sessions are not enumerated when a sanction is imposed:
  the platform keeps them in its cache, and each one ends on its owner's next request.
- `SignInRefusalMiddleware` writes the reason recorded by `SignInGateBackend` into the
  answer of a refused sign-in whose password was right: the login JSON the authn MFE reads,
  or the OAuth2 token error of the apps. It touches no other response.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render

from elearn_plugin.conf import setting
from elearn_plugin.gate import describe_block, format_end, reason_text
from elearn_plugin.host.sessions import delete_login_cookies, expect_user_change
from elearn_plugin.standing import signin
from elearn_plugin.standing.services import active_block

log = logging.getLogger(__name__)


def _skipped(path: str) -> bool:
    prefixes = [getattr(settings, "STATIC_URL", None), getattr(settings, "MEDIA_URL", None)]
    # An unset MEDIA_URL reads as "/" (the script prefix): that must not skip every path.
    return any(p and p != "/" and p.startswith("/") and path.startswith(p) for p in prefixes)


def _expect_user_change(request) -> None:
    expect_user_change()


def _delete_login_cookies(response) -> None:
    delete_login_cookies(response)


def _hr_contact(block) -> str:
    """How to reach the HR centre: the operator's text (`ELEARN_REINSTATEMENT_HELP`); for a
    revocation or freeze, the sentence on applying when the operator gave none (P-8)."""
    if block.kind == "suspension" and not setting("ELEARN_REINSTATEMENT_HELP"):
        return ""
    return signin.reinstatement_help()


class BlockedSessionMiddleware:
    """Sign out a blocked user on their next request and show the reason and end date."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _skipped(request.path_info):
            block = active_block(user.pk)
            # The views of this request read it from here: one cache read per request.
            request._elearn_block = (user.pk, block)
            if block is not None:
                user_id = user.pk
                _expect_user_change(request)
                logout(request)
                log.info("session of blocked user %s ended", user_id)
                response = render(
                    request,
                    "elearn_plugin/standing/blocked.html",
                    {
                        # Not "block": inside {% block %} Django's own `block` hides it.
                        "standing": block,
                        "hr_contact": _hr_contact(block),
                        "message": describe_block(block),
                        "reason": reason_text(block),
                        "ends_at": format_end(block.ends_at) if block.ends_at else "",
                    },
                    status=403,
                )
                _delete_login_cookies(response)
                return response
        return self.get_response(request)


def _json(response) -> dict | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return data if isinstance(data, dict) else None


def _rewrite(response, data: dict) -> None:
    response.content = json.dumps(data).encode("utf-8")
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


class SignInRefusalMiddleware:
    """Show the owner of a right password why the sign-in is refused (login JSON, OAuth2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refusal = signin.recorded_refusal(request)
        if refusal is None:
            return response
        if signin.is_login_endpoint(request.path_info):
            self._login_answer(response, refusal)
        elif signin.is_password_grant(request):
            self._token_answer(response, refusal)
        return response

    @staticmethod
    def _login_answer(response, refusal: signin.SignInRefusal) -> None:
        """`login_user`'s failure JSON, with the error code whose text the authn MFE shows."""
        data = _json(response)
        if response.status_code != 400 or data is None or data.get("success") is not False:
            return
        data.update(
            {
                "value": refusal.message,
                "error_code": signin.MFE_ERROR_CODE,
                "context": refusal.context(),
            }
        )
        _rewrite(response, data)

    @staticmethod
    def _token_answer(response, refusal: signin.SignInRefusal) -> None:
        """The token endpoint's `invalid_grant`, with the reason the app can show (RFC 6749)."""
        data = _json(response)
        if response.status_code not in (400, 401) or data is None:
            return
        if data.get("error") != "invalid_grant":
            return
        data.update({"error_description": refusal.message, "error_code": refusal.code})
        _rewrite(response, data)
