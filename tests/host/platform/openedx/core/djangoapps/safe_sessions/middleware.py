"""Stand-in of openedx-platform `openedx/core/djangoapps/safe_sessions/middleware.py`.

Written from the platform's behaviour (no code copied): the safe-sessions middleware treats a
user changing between a request and its response as a possible session mix-up unless the code
that changes it announces the change first with `mark_user_change_as_expected(new_user_id)`
(None: signed out), which it keeps in the request cache for the response phase.
"""

from edx_django_utils.cache import RequestCache

_CACHE = RequestCache("safe_sessions")


def mark_user_change_as_expected(new_user_id):
    """Announce that the request's user becomes `new_user_id` (None or an LMS user id)."""
    _CACHE.set("expected_user_change", new_user_id)
