"""Every endpoint of the plugin is guarded and has a role-matrix test (P-31).

A URL pattern under the `elearn` namespace or an XBlock handler that is not listed below
fails this module: a new endpoint must name the test that holds its whole role matrix.
That each endpoint asks `elearn_plugin.permissions.check` is proved by requesting it as a
signed-in learner with `check` recording its calls, not by reading its source.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from importlib.metadata import entry_points

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from elearn_plugin import permissions

CONTRIBUTIONS = "tests.unit.contributions.test_contributions"
STAFF = "tests.unit.staff.test_matrices"
TEACHING = "tests.unit.teaching.test_pages"
FEEDBACK = "tests.unit.feedback.test_items"
SURVEYS = "tests.unit.feedback.test_surveys"
# url name -> "module path::test function" holding its role matrix (assert_role_matrix).
ENDPOINT_MATRICES = {
    "password_change": "tests.unit.security.test_role_matrices::test_password_change_matrix",
    "standing-me": "tests.unit.standing.test_pages::test_my_standing_matrix",
    "standing-lift": "tests.unit.standing.test_pages::test_lift_page_matrix",
    "health": "tests.unit.security.test_role_matrices::test_health_matrix",
    "video-report": "tests.unit.video.test_views::test_report_role_matrix",
    "video-session": "tests.unit.security.test_role_matrices::test_video_session_matrix",
    "video-state": "tests.unit.security.test_role_matrices::test_video_state_matrix",
    "learning-grant-slot": "tests.unit.video.test_views::test_grant_slot_role_matrix",
    "learning-grant-slot-page": "tests.unit.video.test_views::test_grant_slot_page",
    "contributions": f"{CONTRIBUTIONS}::test_contributions_page_matrix",
    "contribution-file": f"{CONTRIBUTIONS}::test_contribution_file_matrix",
    "referrals": "tests.unit.review.test_admin::test_referrals_page_matrix",
    "me-summary": "tests.unit.test_learner_api::test_summary_matrix",
    "me-archive": "tests.unit.test_learner_api::test_archive_matrix",
    "my-training": "tests.unit.test_learner_api::test_my_training_page_matrix",
    "reinstatement-request": "tests.unit.reinstatement.test_pages::test_request_page_matrix",
    "reinstatement-apply": "tests.unit.reinstatement.test_pages::test_apply_page_matrix",
    "staff-units": f"{STAFF}::test_units_page_matrix",
    "staff-unit": f"{STAFF}::test_unit_page_matrix",
    "staff-unit-export": f"{STAFF}::test_unit_export_matrix",
    "staff-unit-remind": f"{STAFF}::test_remind_matrix",
    "staff-unit-report": f"{STAFF}::test_monthly_report_matrix",
    "staff-learner-choices": f"{STAFF}::test_learner_choices_matrix",
    "staff-dashboard": "tests.unit.staff.test_dashboard::test_dashboard_page_matrix",
    "feedback": f"{FEEDBACK}::test_learner_page_matrix",
    "feedback-close": f"{FEEDBACK}::test_close_matrix",
    "feedback-inbox": f"{FEEDBACK}::test_inbox_matrix",
    "feedback-inbox-item": f"{FEEDBACK}::test_inbox_item_matrix",
    "survey": f"{SURVEYS}::test_survey_page_matrix",
    "survey-results": f"{SURVEYS}::test_results_and_export_matrices",
    "survey-export": f"{SURVEYS}::test_results_and_export_matrices",
    "family-links": "tests.unit.family.test_matrices::test_my_links_matrix",
    "family-learner-links": "tests.unit.family.test_matrices::test_learner_links_matrix",
    "family-revoke": "tests.unit.family.test_matrices::test_revoke_matrix",
    "family-view": "tests.unit.family.test_matrices::test_report_matrix",
    "privacy-notice": "tests.unit.privacy.test_notice::test_notice_page_matrix",
    "privacy-acknowledge": "tests.unit.privacy.test_notice::test_acknowledge_matrix",
    "staff-dashboard-export": (
        "tests.unit.staff.test_dashboard_exports::test_dashboard_export_matrix"
    ),
    "teaching-rate": f"{TEACHING}::test_rate_page_matrix",
    "teaching-instructors": f"{TEACHING}::test_instructors_page_matrix",
    "teaching-instructors-export": f"{TEACHING}::test_instructors_export_matrix",
    "teaching-instructor": f"{TEACHING}::test_instructor_page_matrix",
    "teaching-instructor-export": f"{TEACHING}::test_instructor_export_matrix",
    "teaching-courses": f"{TEACHING}::test_courses_page_matrix",
    "teaching-courses-export": f"{TEACHING}::test_courses_export_matrix",
}

# Pages every visitor may open, with the reason; they still have a role-matrix test above.
PUBLIC_ENDPOINTS = {
    # P-8: a revoked or frozen learner cannot sign in; the page answers the same for every
    # address (no enumeration) and is rate-limited per address and per account.
    "reinstatement-request": "the blocked learner has no session; same answer for everyone",
    # P-8: the one-time link mailed to the account's address is the credential.
    "reinstatement-apply": "the one-time emailed link is the credential",
    # P-35: the family member has no account; the signed, expiring, revocable link is the
    # credential, scoped to one learner, every view counted, audited and rate-limited.
    "family-view": "the link given to the family is the credential",
    # P-32: what the site records about learners is public information.
    "privacy-notice": "a privacy notice is for everyone to read; acknowledging it needs a sign-in",
}

# (block type, handler) -> test holding its role matrix (assert_handler_matrix).
HANDLER_MATRICES = {
    ("elearn_video", name): "tests.unit.security.test_role_matrices::test_video_handler_matrix"
    for name in ("start_session", "media_duration", "state", "complete")
} | {("elearn_approval", "submit"): "tests.unit.review.test_gate::test_submit_handler_matrix"}

# Handlers the host guards instead of the plugin, with the reason.
HOST_GUARDED_HANDLERS = {
    # StudioEditableXBlockMixin's editor: in Studio, component_handler saves the block only
    # for course authors; in the LMS, content and settings fields are read-only.
    ("elearn_video", "submit_studio_edits"): "Studio saves edits for course authors only",
}


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


@pytest.fixture
def recorded_checks(monkeypatch):
    """Every call of `permissions.check`, wherever the caller imported it from."""
    calls: list[tuple] = []
    real = permissions.check
    plugin_patterns()  # imports every view module first

    def recording(user, action, target=None):
        calls.append((getattr(user, "pk", None), str(action), target))
        return real(user, action, target)

    for name, module in list(sys.modules.items()):
        if name.startswith("elearn_plugin") and getattr(module, "check", None) is real:
            monkeypatch.setattr(module, "check", recording)
    return calls


def _url(pattern: URLPattern) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {key: 1 if "Int" in type(conv).__name__ else "x" for key, conv in converters.items()}
    return reverse(f"elearn:{pattern.name}", kwargs=kwargs)


def _consulted(client, pattern: URLPattern, calls: list) -> list:
    """The permission checks made while a signed-in learner requests the endpoint (GET, and
    POST when GET asked nothing: a POST-only view may refuse the method first)."""
    secret = "a" * 32  # a CSRF cookie and header, as the browser's page sends them
    client.cookies["csrftoken"] = secret
    for method in (client.get, client.post):
        calls.clear()
        method(_url(pattern), HTTP_X_CSRFTOKEN=secret)
        if calls:
            return list(calls)
    return []


def test_public_endpoints_are_listed_with_a_matrix():  # P-31
    assert set(PUBLIC_ENDPOINTS) <= set(ENDPOINT_MATRICES)
    assert all(reason.strip() for reason in PUBLIC_ENDPOINTS.values())


@pytest.mark.parametrize("name", sorted(set(ENDPOINT_MATRICES) - set(PUBLIC_ENDPOINTS)))
def test_every_view_asks_the_permissions_module(name, client, make_user, recorded_checks):
    # P-31: proved by behaviour: the request reaches `check` (directly, through `require`,
    # `elearn_required` or `ElearnPermission`).
    cache.clear()
    learner = make_user()
    client.force_login(learner)
    pattern = next(p for p in plugin_patterns() if p.name == name)
    calls = _consulted(client, pattern, recorded_checks)
    assert calls, f"{name} answered a signed-in learner without asking elearn_plugin.permissions"
    assert all(call[0] == learner.pk for call in calls)


@pytest.mark.parametrize("handler", sorted(set(HANDLER_MATRICES) - set(HOST_GUARDED_HANDLERS)))
def test_every_handler_asks_the_permissions_module(handler, make_user, recorded_checks):
    # P-31: proved by behaviour: a signed-in learner's call of the handler reaches `check`.
    from freezegun import freeze_time

    from elearn_plugin.video.services import register_video
    from tests.unit.security.test_role_matrices import _call_handler
    from tests.unit.video.conftest import SUNDAY_EVENING
    from tests.unit.video.test_block import OLX, _Runtime

    cache.clear()
    block_type, name = handler
    runtime = _Runtime()
    if block_type == "elearn_approval":
        from tests.unit.review.test_gate import OLX as GATE_OLX

        block = runtime.get_block(runtime.parse_xml_string(GATE_OLX))
    else:
        block = runtime.get_block(runtime.parse_xml_string(OLX))
    with freeze_time(SUNDAY_EVENING):
        learner = make_user()
        if block_type == "elearn_video":
            register_video(block.video_spec())
        recorded_checks.clear()
        _call_handler(block, name, learner)
    assert recorded_checks, f"handler {handler} answered without asking elearn_plugin.permissions"
    assert all(call[0] == learner.pk for call in recorded_checks)


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


@pytest.mark.urls("tests.unit.security.unguarded_urls")
def test_behaviour_check_catches_a_view_that_asks_nothing(client, make_user, recorded_checks):
    # P-31: an endpoint that answers without asking is found by the same request.
    client.force_login(make_user())
    pattern = next(p for p in plugin_patterns() if p.name == "unguarded")
    assert _consulted(client, pattern, recorded_checks) == []
