"""`elearn_approval`: a container whose children learners see only while exactly this
content is approved by HR (P-10, P-11, P-13).

Open edX lets a course team publish straight to learners and no filter can veto a publish,
so the gate decides at render time: the children are shown when the review item of this
block with the content's present fingerprint (`fingerprint.fingerprint`) is approved, and
to the course team and reviewers always (a preview); otherwise a short "under review"
notice. An edit after approval changes the fingerprint, so the content is hidden again
until it is approved again. Decisions are the review service's; this block only asks.
"""

from __future__ import annotations

import re

from opaque_keys.edx.keys import UsageKey
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.resources import ResourceLoader

from elearn_plugin.host.access import STANDALONE_COURSE
from elearn_plugin.xblocks.approval.fingerprint import fingerprint
from elearn_plugin.xblocks.tracked_video.fields import _
from elearn_plugin.xblocks.tracked_video.handler_support import _json_response

_loader = ResourceLoader(__name__)


def _current_user():
    """The signed-in user of the request being rendered (django-crum, in the platform's
    MIDDLEWARE), or None."""
    from elearn_plugin.standing.signin import current_request  # noqa: PLC0415

    request = current_request()
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


@XBlock.needs("i18n")
@XBlock.wants("user")
class ApprovalGateBlock(XBlock):
    """Children shown to learners only once HR approved this exact content."""

    has_children = True
    has_author_view = True
    completion_mode = XBlockCompletionMode.AGGREGATOR

    display_name = String(
        display_name=_("Title"), default=_("Reviewed content"), scope=Scope.settings
    )

    def _gettext(self, text: str) -> str:
        return self.runtime.service(self, "i18n").gettext(text)

    def keys(self) -> tuple[str, str]:
        """(course key, block key) as the host spells them (the workbench gets stand-ins)."""
        usage = self.scope_ids.usage_id
        context = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
        if isinstance(usage, UsageKey) and context is not None:
            return str(context), str(usage)
        slug = re.sub(r"[^A-Za-z0-9_]", "_", str(usage))[:150]
        return STANDALONE_COURSE, f"block-v1:elearn+devsite+run+type@elearn_approval+block@{slug}"

    def may_preview(self, user) -> bool:
        """The course team and the reviewers see the content whatever its review state."""
        from elearn_plugin.permissions import Action, CourseTarget, check  # noqa: PLC0415

        if user is None:
            return False
        course_key, _block = self.keys()
        return check(user, Action.PUBLISH_COURSE, CourseTarget(course_key)) or check(
            user, Action.REVIEW_COURSE, CourseTarget(course_key)
        )

    def is_visible(self, user=None) -> bool:
        """Whether `user` (a learner, usually) sees the children now. External courses are
        HR's, bought and maintained outside review (P-9): their gates are open."""
        from elearn_plugin.review.services import is_approved, is_external  # noqa: PLC0415

        if self.may_preview(user):
            return True
        course_key, block_key = self.keys()
        return is_external(course_key) or is_approved(block_key, fingerprint(self))

    # --- views ------------------------------------------------------------------------

    def _children(self, context, view: str) -> Fragment:
        frag = Fragment()
        for child in self.get_children():
            rendered = child.render(view if hasattr(child, view) else "student_view", context)
            frag.add_fragment_resources(rendered)
            frag.add_content(rendered.content)
        return frag

    def student_view(self, context=None) -> Fragment:
        if self.is_visible(_current_user()):
            return self._children(context, "student_view")
        frag = Fragment()
        frag.add_content(
            _loader.render_django_template(
                "templates/notice.html", {}, i18n_service=self.runtime.service(self, "i18n")
            )
        )
        return frag

    def author_view(self, context=None) -> Fragment:
        """Studio: the review state, "submit for review", then the children."""
        from elearn_plugin.review.models import ReviewState  # noqa: PLC0415
        from elearn_plugin.review.services import current_item, is_approved  # noqa: PLC0415

        _course, block_key = self.keys()
        present = fingerprint(self)
        item = current_item(block_key)
        approved = is_approved(block_key, present)
        state = item.state if item else ReviewState.DRAFT
        changed = bool(item and item.state == ReviewState.APPROVED and not approved)
        frag = Fragment()
        frag.add_content(
            _loader.render_django_template(
                "templates/author.html",
                {
                    "state": state,
                    "state_label": ReviewState(state).label,
                    "approved": approved,
                    "changed": changed,
                    "reason": item.reason if item else "",
                    "can_submit": not approved
                    and state not in (ReviewState.SUBMITTED, ReviewState.IN_REVIEW),
                },
                i18n_service=self.runtime.service(self, "i18n"),
            )
        )
        frag.add_javascript(_loader.load_unicode("static/author.js"))
        frag.initialize_js("ElearnApprovalAuthor")
        children = self._children(context, "author_view")
        frag.add_fragment_resources(children)
        frag.add_content(children.content)
        return frag

    # --- handler ----------------------------------------------------------------------

    @XBlock.handler
    def submit(self, request, suffix=""):
        """The course team submits the present content for review (P-10, P-11)."""
        from elearn_plugin.permissions import Action, CourseTarget, check  # noqa: PLC0415
        from elearn_plugin.review.services import ReviewError, submit  # noqa: PLC0415

        if request.method != "POST":
            return _json_response({"ok": False, "code": "method_not_allowed"}, 405)
        user = getattr(getattr(request, "_request", None), "user", None)
        if user is None or not user.is_authenticated:
            return _json_response({"ok": False, "code": "not_authenticated"}, 401)
        course_key, block_key = self.keys()
        if not check(user, Action.PUBLISH_COURSE, CourseTarget(course_key)):
            message = self._gettext(_("You do not have permission to do this."))
            return _json_response({"ok": False, "code": "forbidden", "message": message}, 403)
        try:
            item = submit(
                kind="unit",
                course_key=course_key,
                target_key=block_key,
                fingerprint=fingerprint(self),
                title=self.display_name,
                actor=user,
            )
        except ReviewError as exc:
            return _json_response({"ok": False, "code": exc.code, "message": str(exc)}, 400)
        return _json_response({"ok": True, "state": item.state}, 200)

    @staticmethod
    def workbench_scenarios():
        """The standalone site's reviewed unit: a tracked video behind the approval gate."""
        return [
            (
                "Reviewed unit",
                """<elearn_approval display_name="Fire safety (reviewed)">
                    <elearn_video display_name="Exits and assembly points" duration="5.0"
                        max_playback_rate="1.0" credited_seconds="300">
                        <source src="/elearn-demo-media/clip.webm"/>
                        <source src="/elearn-demo-media/clip.mp4"/>
                    </elearn_video>
                </elearn_approval>""",
            )
        ]
