"""What the tracked video offers beside the player: a handout and a transcript to read (P-19).

The handout is a file the author uploaded (`/static/…` or `/asset-v1:…`, the course's assets) or
an http(s) page; anything else (`javascript:`, `data:`) is refused in Studio and at import.
The transcript is plain text shown, escaped, in a collapsible section under the player, with
a link to the transcript file (the captions track) where one is set.

`get_html()` renders that section: it is the method the platform's Notes decorator wraps
(`xmodule.edxnotes_utils.edxnotes`, as it wraps the HTML block's), so where the site runs
Open edX Notes learners highlight and annotate the transcript and the handout's description;
where Notes is absent or off the decorator leaves the block as it is.
"""

from __future__ import annotations

import re

from xblock.core import XBlockMixin
from xblock.fields import Scope, String
from xblock.utils.resources import ResourceLoader

from elearn_plugin.xblocks.tracked_video.fields import _, _safe_src

HANDOUT_FIELDS = ("handout_url", "handout_label", "transcript_text")
MAX_URL = 2000
MAX_LABEL = 120
MAX_TRANSCRIPT = 200_000
_HANDOUT_RE = re.compile(r"^(https?://[^\s\"'<>]+|/static/[^\s\"'<>]+|/asset-v1:[^\s\"'<>]+)$")
_COURSE_RE = re.compile(r"^course-v1:(.+)$")

_loader = ResourceLoader(__name__)


def safe_handout(value: object) -> bool:
    """An http(s) address or a course asset path, nothing a browser would run."""
    return isinstance(value, str) and len(value) <= MAX_URL and bool(_HANDOUT_RE.match(value))


def handout_problems(url, label, text) -> list[str]:
    """What is wrong with the handout and transcript fields (English; translated where shown)."""
    problems = []
    if url and not safe_handout(url):
        problems.append(
            _("The handout must be an http(s) address or an uploaded file (/static/, /asset-v1:).")
        )
    if label and (not isinstance(label, str) or len(label) > MAX_LABEL):
        problems.append(_("The handout's label must be at most 120 characters."))
    if text and (not isinstance(text, str) or len(text) > MAX_TRANSCRIPT):
        problems.append(_("The transcript text must be at most 200000 characters."))
    return problems


def asset_url(url: str, course_key: str) -> str:
    """`/static/name` as the course's asset address, for the apps (the LMS rewrites it in the
    page itself, not in the data the apps read); other addresses unchanged."""
    match = _COURSE_RE.match(course_key)
    if url.startswith("/static/") and match:
        return f"/asset-v1:{match.group(1)}+type@asset+block@{url[len('/static/') :]}"
    return url


class HandoutMixin(XBlockMixin):
    """The fields and the reading section; mixed into `TrackedVideoBlock`."""

    handout_url = String(
        display_name=_("Handout"),
        help=_("An uploaded file (/static/name.pdf or /asset-v1:…) or an https address."),
        default="",
        scope=Scope.settings,
    )
    handout_label = String(
        display_name=_("Handout label"),
        help=_("The link's text, e.g. the file's title and size."),
        default="",
        scope=Scope.settings,
    )
    transcript_text = String(
        display_name=_("Transcript text"),
        help=_("Plain text shown under the player; line breaks are kept."),
        default="",
        scope=Scope.content,
        multiline_editor=True,
    )

    def handout_data(self, course_key: str) -> dict:
        """The handout and transcript for the apps' `student_view_data`."""
        url = self.handout_url if safe_handout(self.handout_url) else ""
        return {
            "handout": {"url": asset_url(url, course_key), "label": self._label()} if url else None,
            "transcript_text": self.transcript_text or "",
        }

    def _label(self) -> str:
        return self.handout_label or self._gettext(_("Download the handout"))

    def get_html(self) -> str:
        """The reading section under the player (empty when there is nothing to read)."""
        url = self.handout_url if safe_handout(self.handout_url) else ""
        transcript_file = self.transcript if _safe_src(self.transcript) else ""
        if not (url or self.transcript_text or transcript_file):
            return ""
        return _loader.render_django_template(
            "templates/extras.html",
            {
                "handout_url": url,
                "handout_label": self._label(),
                "transcript_text": self.transcript_text,
                "transcript_file": transcript_file,
            },
            i18n_service=self.runtime.service(self, "i18n"),
        )


def read_olx(block, node) -> None:
    """OLX: `handout_url` and `handout_label` attributes, the text of a `<transcript_text>`."""
    block.handout_url = node.get("handout_url", "")
    block.handout_label = node.get("handout_label", "")
    texts = [child.text or "" for child in node if getattr(child, "tag", None) == "transcript_text"]
    block.transcript_text = texts[0] if texts else ""


def write_olx(block, node) -> None:
    """Export the shape `read_olx` reads (through the node's own API: no XML parser here)."""
    for name in ("handout_url", "handout_label"):
        if getattr(block, name):
            node.set(name, getattr(block, name))
    if block.transcript_text:
        child = node.makeelement("transcript_text", {})
        child.text = block.transcript_text
        node.append(child)
