"""openedx-filters step of the review domain (P-10, P-11): no way around the approval gate.

The gate hides its children when the LMS renders it, but the LMS also renders any block on
its own (`render_xblock`, `/xblock/<usage key>`: the Learning MFE's unit iframe and the
mobile apps' web views), which would show a gated child without its gate. Upstream,
`lms/djangoapps/courseware/views/views.py` `render_xblock` runs `RenderXBlockStarted` with
`context["block"]` just before rendering; this step walks up from that block and, when an
`elearn_approval` ancestor is not visible to the user, answers with the gate's "under
review" notice (`RenderCustomResponse`, whose `response` the view shows as the fragment).
"""

from __future__ import annotations

from openedx_filters.filters import PipelineStep
from openedx_filters.learning.filters import RenderXBlockStarted

FILTER_TYPE = RenderXBlockStarted.filter_type
STEP_PATH = "elearn_plugin.review.filters.HideUnapprovedContent"
GATE_TYPE = "elearn_approval"
MAX_DEPTH = 12  # course > chapter > sequential > vertical > ... : far more than real courses


def closed_gate(block, user):
    """The nearest `elearn_approval` ancestor that hides `block` from `user`, or None."""
    current = getattr(block, "get_parent", lambda: None)()
    for _level in range(MAX_DEPTH):
        if current is None:
            return None
        if current.scope_ids.block_type == GATE_TYPE and not current.is_visible(user):
            return current
        current = current.get_parent()
    return None


def notice_html(gate) -> str:
    return gate.render("student_view", {}).content


class HideUnapprovedContent(PipelineStep):
    """Refuse to render a block on its own while its approval gate hides it."""

    def run_filter(self, context, student_view_context):  # noqa: D102 - the filter's hook
        from elearn_plugin.xblocks.approval.block import _current_user  # noqa: PLC0415

        block = (context or {}).get("block")
        if block is None:
            return {"context": context, "student_view_context": student_view_context}
        gate = closed_gate(block, _current_user())
        if gate is not None:
            raise RenderXBlockStarted.RenderCustomResponse(
                "content under review", response=notice_html(gate)
            )
        return {"context": context, "student_view_context": student_view_context}
