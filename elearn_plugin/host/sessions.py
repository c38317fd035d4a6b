"""The platform's session helpers used when a blocked learner's session is ended (P-8).

Outside the LMS (the standalone site) neither exists and both are no-ops.
"""

from __future__ import annotations


def expect_user_change() -> None:
    """Announce the sign-out to the LMS's safe-sessions middleware, which otherwise treats a
    user change during a request as an attack."""
    try:
        from openedx.core.djangoapps.safe_sessions.middleware import (  # noqa: PLC0415
            mark_user_change_as_expected,
        )
    except ImportError:
        return
    mark_user_change_as_expected(None)


def delete_login_cookies(response) -> None:
    """Delete the platform's cookies that tell the MFEs who is signed in (the JWT ones too)."""
    try:
        from openedx.core.djangoapps.user_authn.cookies import (  # noqa: PLC0415
            delete_logged_in_cookies,
        )
    except ImportError:
        return
    delete_logged_in_cookies(response)
