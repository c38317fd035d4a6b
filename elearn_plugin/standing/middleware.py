"""End the session of a learner who became blocked while signed in (P-8).

The login filter refuses new sign-ins; this middleware closes sessions opened before the
sanction: on the next request the user is signed out and shown why, with status 403.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render

from elearn_plugin.gate import describe_block, format_end, reason_text
from elearn_plugin.standing.services import active_block

log = logging.getLogger(__name__)


def _skipped(path: str) -> bool:
    prefixes = [getattr(settings, "STATIC_URL", None), getattr(settings, "MEDIA_URL", None)]
    # An unset MEDIA_URL reads as "/" (the script prefix): that must not skip every path.
    return any(p and p != "/" and p.startswith("/") and path.startswith(p) for p in prefixes)


def _expect_user_change(request) -> None:
    # The LMS's safe-sessions middleware treats a user change during a request as an attack
    # unless it is announced; outside the LMS there is nothing to announce.
    try:
        from openedx.core.djangoapps.safe_sessions.middleware import (  # noqa: PLC0415
            mark_user_change_as_expected,
        )
    except ImportError:
        return
    mark_user_change_as_expected(None)


class BlockedSessionMiddleware:
    """Sign out a blocked user on their next request and show the reason and end date."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _skipped(request.path_info):
            block = active_block(user.pk)
            if block is not None:
                user_id = user.pk
                _expect_user_change(request)
                logout(request)
                log.info("session of blocked user %s ended", user_id)
                return render(
                    request,
                    "elearn_plugin/standing/blocked.html",
                    {
                        "block": block,
                        "message": describe_block(block),
                        "reason": reason_text(block),
                        "ends_at": format_end(block.ends_at) if block.ends_at else "",
                    },
                    status=403,
                )
        return self.get_response(request)
