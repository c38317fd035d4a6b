"""`elearn_video`: a video that counts as watched only when the server verified every part (P-17).

Thin: the player reports to the plugin's endpoint; sessions, verification and completion are
decided by `elearn_plugin.video.services`. Progress is stored in the plugin's models, never in
XBlock user state (which the learner's browser could overwrite through a handler).
"""

from __future__ import annotations

import re

from lxml import etree
from opaque_keys.edx.keys import UsageKey
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Float, Integer, List, Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from elearn_plugin.host.access import STANDALONE_COURSE
from elearn_plugin.video.constants import MAX_RATE_LIMIT
from elearn_plugin.xblocks.tracked_video import lines
from elearn_plugin.xblocks.tracked_video.fields import _, _media_type, _safe_src, field_problems
from elearn_plugin.xblocks.tracked_video.handler_support import (
    _json_response,
    _require_user,
    json_request_handler,
)
from elearn_plugin.xblocks.tracked_video.handout import (
    HANDOUT_FIELDS,
    HandoutMixin,
    handout_problems,
    read_olx,
    write_olx,
)

_loader = ResourceLoader(__name__)


class OlxError(ValueError):
    """OLX that must not be imported (DTD, entities, bad values)."""


def _refuse_dtd_and_entities(node) -> None:
    tree = node.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise OlxError("OLX with a document type declaration is refused.")
    for element in node.iter():
        if isinstance(element, etree._Entity):
            raise OlxError("OLX with entities is refused.")


try:  # The platform's Notes: wraps `get_html` (the reading section) where Notes runs.
    from xmodule.edxnotes_utils import edxnotes
except ImportError:  # Studio without it, the workbench, the tests: the block as it is

    def edxnotes(cls):
        return cls


@XBlock.needs("i18n")
@XBlock.wants("user")
@edxnotes
class TrackedVideoBlock(HandoutMixin, StudioEditableXBlockMixin, XBlock):
    """A tracked video: no seeking ahead, verified by the server, completion published once."""

    has_custom_completion = True
    has_author_view = False

    display_name = String(
        display_name=_("Title"),
        default=_("Video"),
        scope=Scope.settings,
    )
    sources = List(
        display_name=_("Video sources"),
        help=_("MP4 or WebM addresses (absolute or course asset paths), one per entry."),
        default=[],
        scope=Scope.content,
    )
    duration = Float(
        display_name=_("Duration (seconds)"),
        help=_("The video's length; the server verifies watching against it."),
        default=0.0,
        scope=Scope.content,
    )
    transcript = String(
        display_name=_("Transcript (WebVTT address)"),
        default="",
        scope=Scope.content,
    )
    max_playback_rate = Float(
        display_name=_("Maximum playback rate"),
        help=_("At most 2.0."),
        default=1.0,
        scope=Scope.settings,
    )
    credited_seconds = Integer(
        display_name=_("Credited learning time (seconds)"),
        default=0,
        scope=Scope.settings,
    )

    editable_fields = (
        "display_name",
        "sources",
        "duration",
        "transcript",
        "max_playback_rate",
        "credited_seconds",
        *HANDOUT_FIELDS,
    )

    # --- authoring --------------------------------------------------------------------

    def validate_field_data(self, validation, data) -> None:
        """Studio refuses a bad duration, rate or source instead of guessing."""
        from xblock.validation import ValidationMessage  # noqa: PLC0415

        problems = field_problems(
            getattr(data, "duration", 0.0),
            getattr(data, "max_playback_rate", 1.0),
            list(getattr(data, "sources", []) or []),
            getattr(data, "transcript", ""),
        )
        problems += handout_problems(
            getattr(data, "handout_url", ""),
            getattr(data, "handout_label", ""),
            getattr(data, "transcript_text", ""),
        )
        for problem in problems:
            validation.add(ValidationMessage(ValidationMessage.ERROR, self._gettext(problem)))

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        """OLX: attributes for fields, `<source src=…/>` children; DTDs and entities refused."""
        _refuse_dtd_and_entities(node)
        block = runtime.construct_xblock_from_class(cls, keys)
        attrs = dict(node.attrib)
        try:
            if "display_name" in attrs:
                block.display_name = attrs["display_name"]
            if "duration" in attrs:
                block.duration = float(attrs["duration"])
            if "max_playback_rate" in attrs:
                block.max_playback_rate = float(attrs["max_playback_rate"])
            if "credited_seconds" in attrs:
                block.credited_seconds = int(attrs["credited_seconds"])
        except ValueError as exc:
            raise OlxError(f"Bad number in elearn_video OLX: {exc}") from exc
        block.transcript = attrs.get("transcript", "")
        block.sources = [
            child.get("src", "") for child in node if getattr(child, "tag", None) == "source"
        ]
        read_olx(block, node)
        problems = field_problems(
            block.duration, block.max_playback_rate, block.sources, block.transcript
        ) + handout_problems(block.handout_url, block.handout_label, block.transcript_text)
        if problems:
            raise OlxError("; ".join(problems))
        return block

    def add_xml_to_node(self, node) -> None:
        """Export the same shape that `parse_xml` reads."""
        node.tag = self.scope_ids.block_type
        node.set("display_name", self.display_name)
        node.set("duration", repr(float(self.duration)))
        node.set("max_playback_rate", repr(float(self.max_playback_rate)))
        node.set("credited_seconds", str(int(self.credited_seconds)))
        if self.transcript:
            node.set("transcript", self.transcript)
        for src in self.sources:
            etree.SubElement(node, "source", src=src)
        write_olx(self, node)

    # --- keys and services ------------------------------------------------------------

    def keys(self) -> tuple[str, str]:
        """(learning context key, block key) as the host spells them.

        A course block (`block-v1:`) is in its course, a library block (`lb:`) in its library
        (`lib:`): the context the host records its completion under. Only the standalone
        workbench, whose usage ids are plain strings, gets the stand-in course.
        """
        usage = self.scope_ids.usage_id
        context = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
        if isinstance(usage, UsageKey) and context is not None:
            return str(context), str(usage)
        slug = re.sub(r"[^A-Za-z0-9_]", "_", str(usage))[:150]
        return STANDALONE_COURSE, f"block-v1:elearn+devsite+run+type@elearn_video+block@{slug}"

    def video_spec(self):
        from elearn_plugin.video.services import VideoSpec  # noqa: PLC0415

        course_key, block_key = self.keys()
        return VideoSpec(
            block_key=block_key,
            course_key=course_key,
            duration=self.duration,
            max_rate=min(float(self.max_playback_rate), MAX_RATE_LIMIT),
            title=self.display_name,
            credited_seconds=self.credited_seconds,
        )

    def _gettext(self, text: str) -> str:
        service = self.runtime.service(self, "i18n")
        return service.gettext(text) if hasattr(service, "gettext") else service.ugettext(text)

    # --- views ------------------------------------------------------------------------

    # The LMS asks `has_support(<the class's student_view>, "multi_device")`: support is an
    # attribute of the view function, so the decorator belongs here, not on the class.
    @XBlock.supports("multi_device")
    def student_view(self, context=None) -> Fragment:
        """The player; usable at phone width and in the apps' WebView."""
        from django.conf import settings  # noqa: PLC0415
        from django.urls import reverse  # noqa: PLC0415

        from elearn_plugin.xblocks.tracked_video.strings import player_strings  # noqa: PLC0415

        course_key, block_key = self.keys()
        args = {
            "report_url": reverse("elearn:video-report"),
            "block_key": block_key,
            "duration": self.duration,
            "max_rate": min(float(self.max_playback_rate), MAX_RATE_LIMIT),
            "csrf_cookie": getattr(settings, "CSRF_COOKIE_NAME", "csrftoken"),
            "strings": player_strings(self._gettext),
        }
        frag = Fragment()
        frag.add_content(
            _loader.render_django_template(
                "templates/player.html",
                {
                    "title": self.display_name,
                    "sources": [
                        {"src": s, "type": _media_type(s)} for s in self.sources if _safe_src(s)
                    ],
                    "transcript": self.transcript if _safe_src(self.transcript) else "",
                    "strings": args["strings"],
                    "block_key": block_key,
                    "month_line": lines.month_line(),
                    "privacy_url": lines.privacy_url(),
                },
                i18n_service=self.runtime.service(self, "i18n"),
            )
        )
        frag.add_content(self.get_html())  # the handout and transcript, annotatable
        frag.add_css(_loader.load_unicode("static/css/player.css"))
        frag.add_javascript(_loader.load_unicode("static/js/player.js"))
        frag.initialize_js("ElearnTrackedVideo", args)
        return frag

    def student_view_data(self, context=None) -> dict:
        """Content only, for the mobile apps (collected without a user).

        `report_path` is the URL the LMS serves the report endpoint at (the plugin's URLs are
        mounted under the `elearn/` regex of its url_config), taken from the URL conf.
        """
        from django.urls import reverse  # noqa: PLC0415

        from elearn_plugin.review.filters import closed_gate  # noqa: PLC0415

        course_key = self.keys()[0]

        if closed_gate(self, None) is not None:
            # Behind an approval gate not approved yet (P-10): the course blocks API would
            # hand the sources to anyone; the app shows the gate's notice in its web view.
            return {"title": self.display_name, "under_review": True}
        return {
            "title": self.display_name,
            "sources": [s for s in self.sources if _safe_src(s)],
            "duration": float(self.duration),
            "max_playback_rate": min(float(self.max_playback_rate), MAX_RATE_LIMIT),
            "transcript": self.transcript if _safe_src(self.transcript) else "",
            "handlers": {
                "start_session": "start_session",
                "state": "state",
                "complete": "complete",
                "media_duration": "media_duration",
            },
            "report_path": reverse("elearn:video-report"),
            **self.handout_data(course_key),
        }

    # --- handlers ---------------------------------------------------------------------

    @json_request_handler
    def start_session(self, request, data):
        """Issue a watch session for the current learner; it supersedes the previous one.

        Only for a learner with access to the block's course; the duration and rate come
        from the block's authored record, never from the request.
        """
        from elearn_plugin.video.services import ClientInfo, open_session  # noqa: PLC0415

        user = _require_user(request)
        grant = open_session(user, self.video_spec(), ClientInfo.from_request(request._request))
        return {"ok": True, **grant.as_dict()}

    @json_request_handler
    def media_duration(self, request, data):
        """The media's own duration: this learner's evidence; it never rewrites the block's
        record by itself (only several learners agreeing do, or the authors)."""
        from elearn_plugin.video.services import record_media_duration  # noqa: PLC0415

        user = _require_user(request)
        mismatch = record_media_duration(user, self.keys()[1], data.get("duration"))
        return {"ok": True, "mismatch": mismatch}

    # --- authoring handlers -------------------------------------------------------------

    def _edited_by_course_staff(self, request) -> bool:
        """The user saving authored fields is staff of the block's course, in every runtime.

        Studio checks write access before calling a handler, but the LMS and the workbench
        call any handler for any signed-in user: the Django request's user must be global
        staff, the course team (`Action.PUBLISH_COURSE`: staff/instructor of the course, the
        publisher group), or the runtime's user service must say the
        user is staff (`edx-platform.user_is_staff`).
        """
        from elearn_plugin.permissions import Action, CourseTarget, check  # noqa: PLC0415

        user = getattr(getattr(request, "_request", None), "user", None)
        if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
            if user.is_staff or user.is_superuser:
                return True
            # The course team: the host's staff and instructors, and the publisher group.
            if check(user, Action.PUBLISH_COURSE, CourseTarget(self.keys()[0])):
                return True
        service = self.runtime.service(self, "user")
        current = service.get_current_user() if service is not None else None
        return bool(current and current.opt_attrs.get("edx-platform.user_is_staff") is True)

    @XBlock.handler
    def submit_studio_edits(self, request, suffix=""):
        """Save the authored fields: for course staff only (a learner cannot shorten the video).

        After a successful save the block's authored record (`TrackedVideo`) follows it, as
        the Studio rescan does after a publish; a watch session reads only that record.
        """
        if not self._edited_by_course_staff(request):
            message = self._gettext(_("Only the course team can change this video."))
            return _json_response({"result": "error", "code": "forbidden", "message": message}, 403)
        response = StudioEditableXBlockMixin.submit_studio_edits(self, request, suffix)
        if response.status_code == 200:
            from elearn_plugin.audit import acting_as  # noqa: PLC0415
            from elearn_plugin.video.services import WatchError, register_video  # noqa: PLC0415

            user = getattr(getattr(request, "_request", None), "user", None)
            editor = user if getattr(user, "is_authenticated", False) else None
            try:
                # The editing user where the runtime has a Django user; else the edit itself.
                with acting_as("system:studio_edit"):
                    register_video(self.video_spec(), actor=editor)
            except WatchError:
                pass  # an invalid authored value was refused by validate_field_data already
        return response

    @json_request_handler
    def state(self, request, data):
        """Per-learner state for the mobile apps."""
        from elearn_plugin.video.services import learner_state  # noqa: PLC0415

        user = _require_user(request)
        return {"ok": True, **learner_state(user.pk, self.keys()[1])}

    @json_request_handler
    def complete(self, request, data):
        """Tell the host the video is complete, only if the server's own record says so."""
        from elearn_plugin.video.services import WatchError, completion_of  # noqa: PLC0415

        user = _require_user(request)
        record = completion_of(user.pk, self.keys()[1])
        if record is None:
            raise WatchError(
                "not_complete",
                409,
                self._gettext(_("The video has not been watched to the end yet.")),
            )
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {"ok": True, "completed_at": record.completed_at.isoformat()}

    @staticmethod
    def workbench_scenarios():
        """The standalone site's tracked-video scenario (media: conf/devsite/media, with Range)."""
        from elearn_plugin.xblocks.tracked_video.scenarios import SCENARIOS  # noqa: PLC0415

        return list(SCENARIOS)
