"""How the video domain refuses a request: `WatchError` and the messages of its codes.

Every video module raises it and the views and the XBlock's handlers answer it, so it lives
in a module of its own that any of them imports without a cycle.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from elearn_plugin.rules import watch as rules

# Messages of refusals; the code travels with the message so the player can react to it.
MESSAGES = {
    rules.STALE_SEQUENCE: gettext_lazy("This report is older than one already received."),
    rules.BAD_RANGE: gettext_lazy("The reported segment is not inside the video."),
    rules.BEYOND_FRONTIER: gettext_lazy(
        "The reported segment starts beyond the furthest point watched."
    ),
    rules.TOO_FAST: gettext_lazy("More video was reported than could have been played since."),
    "superseded": gettext_lazy("This video was opened in another window or device."),
    "bad_token": gettext_lazy("The watch session is invalid or has expired. Reload the page."),
    "wrong_user": gettext_lazy("This watch session belongs to another learner."),
    "conflict": gettext_lazy("Another report was saved at the same time. Try again."),
    "unknown_video": gettext_lazy("This video is not known to the server yet."),
    "outside_window": gettext_lazy(
        "Learning during working time is allowed only in the learning windows."
    ),
    "rate_limited": gettext_lazy("Too many reports. Wait a moment."),
    "not_authenticated": gettext_lazy("Sign in to watch this video."),
    "no_course_access": gettext_lazy(
        "You are not enrolled in the course of this video. Enrol in the course to watch it."
    ),
}


class WatchError(Exception):
    """A refused request: nothing was changed. `status` is the HTTP status to answer."""

    def __init__(self, code: str, status: int, message: str = "", **extra):
        self.code = code
        self.status = status
        self.message = str(message or MESSAGES.get(code, code))
        self.extra = extra
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.extra}
