"""Every endpoint of the plugin is guarded and has a role-matrix test (P-31).

A URL pattern under the `elearn` namespace or an XBlock handler that is not listed below
fails this module: a new endpoint must name the test that holds its whole role matrix.
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import entry_points

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from elearn_plugin.permissions import ElearnPermission, ElearnRequiredMixin

# url name -> "module path::test function" holding its role matrix (assert_role_matrix).
ENDPOINT_MATRICES = {
    "password_change": "tests.unit.security.test_role_matrices::test_password_change_matrix",
    "standing-me": "tests.unit.standing.test_pages::test_my_standing_matrix",
    "standing-lift": "tests.unit.standing.test_pages::test_lift_page_matrix",
    "health": "tests.unit.security.test_role_matrices::test_health_matrix",
    "video-report": "tests.unit.video.test_views::test_report_role_matrix",
    "video-session": "tests.unit.security.test_role_matrices::test_video_session_matrix",
    "video-state": "tests.unit.security.test_role_matrices::test_video_state_matrix",
    "video-grant-slot": "tests.unit.video.test_views::test_grant_slot_role_matrix",
    "video-grant-slot-page": "tests.unit.video.test_views::test_grant_slot_page",
}

# (block type, handler) -> test holding its role matrix (assert_handler_matrix).
HANDLER_MATRICES = {
    ("elearn_video", name): "tests.unit.security.test_role_matrices::test_video_handler_matrix"
    for name in ("start_session", "media_duration", "state", "complete")
}

# Handlers the host guards instead of the plugin, with the reason.
HOST_GUARDED_HANDLERS = {
    # StudioEditableXBlockMixin's editor: in Studio, component_handler saves the block only
    # for course authors; in the LMS, content and settings fields are read-only.
    ("elearn_video", "submit_studio_edits"): "Studio saves edits for course authors only",
}

# Words in a plain view's source that show it asks elearn_plugin.permissions.
_GUARDS = ("elearn_required", "require(", "check(")


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def plugin_patterns() -> list[URLPattern]:
    """Every URL pattern mounted under the plugin's namespace."""
    return [p for ns, p in _walk(get_resolver().url_patterns) if ns == "elearn"]


def _test_function(dotted: str):
    module_name, _sep, name = dotted.partition("::")
    module = importlib.import_module(module_name)
    return getattr(module, name, None)


def _plugin_blocks() -> dict[str, type]:
    blocks = {}
    for entry in entry_points(group="xblock.v1"):
        if entry.value.startswith("elearn_plugin."):
            blocks[entry.name] = entry.load()
    return blocks


def plugin_handlers() -> set[tuple[str, str]]:
    """(block type, handler name) of every XBlock handler the plugin ships."""
    found = set()
    for block_type, cls in _plugin_blocks().items():
        for name in dir(cls):
            if getattr(getattr(cls, name, None), "_is_xblock_handler", False):
                found.add((block_type, name))
    return found


def test_plugin_has_endpoints():  # P-31
    # Guards the inventory itself: an empty walk would make every check below pass.
    assert len(plugin_patterns()) >= len(ENDPOINT_MATRICES) - 1
    assert plugin_handlers()


def test_every_url_pattern_is_listed_with_its_matrix_test():  # P-31
    names = [p.name for p in plugin_patterns()]
    unnamed = [str(p.pattern) for p in plugin_patterns() if not p.name]
    assert not unnamed, f"name these patterns so they can be listed: {unnamed}"
    missing = sorted(set(names) - set(ENDPOINT_MATRICES))
    stale = sorted(set(ENDPOINT_MATRICES) - set(names))
    assert not missing, (
        f"endpoints without a role-matrix test: {missing}; write one with "
        "tests.helpers.role_matrix.assert_role_matrix and list it in ENDPOINT_MATRICES"
    )
    assert not stale, f"ENDPOINT_MATRICES lists endpoints that no longer exist: {stale}"


def test_every_xblock_handler_is_listed_with_its_matrix_test():  # P-31
    handlers = plugin_handlers()
    listed = set(HANDLER_MATRICES) | set(HOST_GUARDED_HANDLERS)
    missing = sorted(handlers - listed)
    stale = sorted(listed - handlers)
    assert not missing, f"XBlock handlers without a role-matrix test: {missing}"
    assert not stale, f"HANDLER_MATRICES lists handlers that no longer exist: {stale}"


@pytest.mark.parametrize(
    "dotted", sorted(set(ENDPOINT_MATRICES.values()) | set(HANDLER_MATRICES.values()))
)
def test_listed_matrix_tests_exist_and_assert_a_matrix(dotted):  # P-31
    function = _test_function(dotted)
    assert function is not None, f"{dotted} does not exist"
    source = inspect.getsource(function)
    assert "assert_role_matrix" in source or "assert_handler_matrix" in source, (
        f"{dotted} holds no role matrix"
    )


def _guarded(callback) -> str | None:
    """Why the view is guarded by elearn_plugin.permissions, or None."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        if issubclass(view_class, APIView):
            if ElearnPermission in view_class.permission_classes and getattr(
                view_class, "elearn_action", None
            ):
                return "ElearnPermission"
            return None
        if issubclass(view_class, ElearnRequiredMixin) and view_class.elearn_action:
            return "ElearnRequiredMixin"
        return None
    source = inspect.getsource(callback)
    return next((word for word in _GUARDS if word in source), None)


@pytest.mark.parametrize("name", sorted(ENDPOINT_MATRICES))
def test_every_view_asks_the_permissions_module(name):  # P-31
    pattern = next(p for p in plugin_patterns() if p.name == name)
    assert _guarded(pattern.callback), f"{name} checks no role through elearn_plugin.permissions"


def test_every_handler_asks_the_permissions_module():  # P-31
    # All handlers of the block go through one function that asks the permissions module.
    from elearn_plugin.xblocks.tracked_video import block

    source = inspect.getsource(block._require_user)
    assert "check(" in source and "is_blocked(" in source
    for key in sorted(plugin_handlers() - set(HOST_GUARDED_HANDLERS)):
        name = key[1]
        handler = inspect.getsource(getattr(block.TrackedVideoBlock, name))
        assert "_require_user(request)" in handler, f"handler {name} does not check the user"


def test_inventory_catches_an_unlisted_endpoint(monkeypatch):  # P-31
    # The check above would fail for a new pattern: prove it with a fake one.
    from django.urls import path

    extra = path("extra/", lambda request: None, name="not-listed")
    patterns = plugin_patterns() + [extra]
    monkeypatch.setattr(
        "tests.unit.security.test_endpoint_inventory.plugin_patterns", lambda: patterns
    )
    with pytest.raises(AssertionError, match="not-listed"):
        test_every_url_pattern_is_listed_with_its_matrix_test()
    assert _guarded(extra.callback) is None
