"""The lines under the player: the learner's month (P-19: the apps render this view) and the
privacy notice's link until the learner has read it (P-32). Neither may break the player."""

from __future__ import annotations


def month_line() -> str:
    """This month for the learner of the current request, or nothing."""
    from elearn_plugin.learner.line import month_line as line  # noqa: PLC0415
    from elearn_plugin.standing.signin import current_request  # noqa: PLC0415

    request = current_request()
    try:
        return line(getattr(request, "user", None), request)
    except Exception:  # noqa: BLE001 - the player never breaks for a summary
        return ""


def privacy_url() -> str:
    """The privacy notice's address while the learner has not acknowledged it."""
    from elearn_plugin.privacy.notice import player_notice_url  # noqa: PLC0415
    from elearn_plugin.standing.signin import current_request  # noqa: PLC0415

    try:
        return player_notice_url(current_request())
    except Exception:  # noqa: BLE001 - the player never breaks for the notice
        return ""
