"""Stand-in of openedx-platform
`openedx/core/djangoapps/oauth_dispatch/dot_overrides/backends.py`.

Written from the platform's behaviour (no code copied): `EdxRateLimitedAllowAllUsersModelBackend`
is Django's `AllowAllUsersModelBackend` (inactive accounts authenticate; `login_user` refuses
them itself) with django-ratelimit-backend's per-address counting of failures in front. The
rate limiting is left out here (the package is not installed); the password check is Django's.
"""

from django.contrib.auth.backends import AllowAllUsersModelBackend


class EdxRateLimitedAllowAllUsersModelBackend(AllowAllUsersModelBackend):
    """The LMS's password backend (without the rate-limit mixin)."""
