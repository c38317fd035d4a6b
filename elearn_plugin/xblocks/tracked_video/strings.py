"""The player's strings, translated on the server and handed to the script as a catalogue."""

from collections.abc import Callable


def _(text: str) -> str:
    return text


PLAYER_STRINGS = {
    "play": _("Play"),
    "pause": _("Pause"),
    "watched": _("Watched: %(watched)s of %(total)s"),
    "complete": _("You have watched this video to the end."),
    "no_seek": _("You can only move back, or forward up to the furthest point you have watched."),
    "hidden": _("Playback paused while the page is hidden."),
    "rate": _("Playback speed"),
    "progress_label": _("Parts of the video you have watched"),
    "superseded": _("This video was opened in another window or device. Playback stopped here."),
    "error": _("Your progress could not be saved. It will be sent again."),
    "refused": _("The server did not accept the last report."),
    "starting": _("Preparing the video..."),
    "resume": _("Resuming where you stopped."),
    "no_video": _("Your browser cannot play this video."),
}


def player_strings(gettext: Callable[[str], str]) -> dict[str, str]:
    """The catalogue in the learner's language."""
    return {key: gettext(text) for key, text in PLAYER_STRINGS.items()}
