"""Stand-in of openedx-platform `openedx/core/djangoapps/user_authn/cookies.py`.

Written from the platform's behaviour (no code copied): `delete_logged_in_cookies(response)`
deletes, on the shared cookie domain, the cookies that tell the MFEs a user is signed in:
the JWT header-payload and signature cookies and the deprecated `edxloggedin` and
`edx-user-info` cookies (the session cookie is Django's to delete).
"""

from django.conf import settings

JWT_COOKIE_NAMES = ("edx-jwt-cookie-header-payload", "edx-jwt-cookie-signature")
DEPRECATED_LOGGED_IN_COOKIE_NAMES = ("edxloggedin", "edx-user-info")
ALL_LOGGED_IN_COOKIE_NAMES = JWT_COOKIE_NAMES + DEPRECATED_LOGGED_IN_COOKIE_NAMES


def delete_logged_in_cookies(response):
    """Expire the signed-in cookies on `response` and return it."""
    for name in ALL_LOGGED_IN_COOKIE_NAMES:
        response.delete_cookie(
            name, path="/", domain=getattr(settings, "SHARED_COOKIE_DOMAIN", None)
        )
    return response
