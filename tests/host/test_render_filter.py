"""A gated block rendered on its own, as the LMS renders it (P-10, P-11).

Mirrors openedx-platform `lms/djangoapps/courseware/views/views.py` `render_xblock`: it
builds `context` with the block under `"block"`, then calls
`RenderXBlockStarted.run_filter(context=context, student_view_context=student_view_context)`
(openedx-filters `openedx_filters/learning/filters.py`); on `RenderCustomResponse` it shows
`Fragment(exc.response)` instead of the block. The pipeline is the one the plugin's settings
put in `OPEN_EDX_FILTERS_CONFIG` (`org.openedx.learning.xblock.render.started.v1`).
"""

import pytest
from crum import set_current_request
from django.test import RequestFactory
from openedx_filters.learning.filters import RenderXBlockStarted

from tests.unit.review.test_gate import _approve, gate, users  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _render_xblock(block, user):
    """The filter call of `render_xblock`, with the request's user as crum holds it."""
    request = RequestFactory().get(f"/xblock/{block.scope_ids.usage_id}")
    request.user = user
    set_current_request(request)
    try:
        context = {"block": block, "course": None, "disable_header": True}
        return RenderXBlockStarted.run_filter(context=context, student_view_context={})
    finally:
        set_current_request(None)


def test_a_gated_child_on_its_own_shows_the_notice(gate, users):  # noqa: F811 - P-10, P-11
    (video,) = gate.get_children()
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse) as hidden:
        _render_xblock(video, users.learner)
    assert "Under review" in hidden.value.response
    context, _student_view_context = _render_xblock(video, users.publisher)  # the course team
    assert context["block"] is video


def test_once_approved_the_child_renders(gate, users):  # noqa: F811 - P-10
    _approve(gate, users)
    (video,) = gate.get_children()
    context, student_view_context = _render_xblock(video, users.learner)
    assert context["block"] is video and student_view_context == {}


def test_blocks_outside_a_gate_are_untouched(gate, users):  # noqa: F811
    context, _svc = _render_xblock(gate, users.learner)  # the gate hides its own children
    assert context["block"] is gate
