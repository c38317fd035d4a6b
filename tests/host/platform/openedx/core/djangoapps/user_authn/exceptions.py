"""Stand-in of openedx-platform `openedx/core/djangoapps/user_authn/exceptions.py`.

Written from the platform's behaviour (no code copied): `AuthFailedError` carries the
message (`value`), an optional redirect, an error code and a context dict; its JSON form has
`success: false` and each of those that is set.
"""


class AuthFailedError(Exception):
    """A sign-in failure, answered as JSON by `login_user`."""

    def __init__(self, value=None, redirect=None, redirect_url=None, error_code=None, context=None):
        super().__init__(value)
        self.value = str(value) if value is not None else None
        self.redirect = redirect
        self.redirect_url = redirect_url
        self.error_code = error_code
        self.context = context or {}

    def get_response(self) -> dict:
        answer = {"success": False}
        for name in ("value", "redirect", "redirect_url", "error_code", "context"):
            value = getattr(self, name)
            if value:
                answer[name] = value
        return answer
