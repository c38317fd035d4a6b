"""The learner's month on the demo site's home, after the demo's months were closed: the
"My training" widget (the learner dashboard's bundle, frontend/my-training) shows the quota,
due dates, last month's warning and the credits, at desktop width and at 375 px; its link
opens the whole record (P-16, P-20, P-21, P-26, P-19)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.demo_site import query, signed_in

pytestmark = pytest.mark.e2e


def _warned_learner(site: dict) -> str:
    """A learner whose last closed month warned them, who is not blocked and has tasks."""
    rows = query(
        site,
        "SELECT a.username, s.consequences FROM elearn_plugin_standing s JOIN auth_user a"
        " ON a.id = s.user_id WHERE a.username LIKE 'learner%' AND s.period ="
        " (SELECT MAX(period) FROM elearn_plugin_standing) AND s.user_id NOT IN"
        " (SELECT user_id FROM elearn_plugin_sanction WHERE lifted_at IS NULL AND kind IN"
        " ('suspension', 'revocation', 'freeze') AND"
        " (ends_at IS NULL OR ends_at > datetime('now')))"
        " AND s.user_id IN (SELECT user_id FROM elearn_plugin_assignment) ORDER BY a.username",
    )
    warned = [name for name, consequences in rows if "quota_warning" in json.loads(consequences)]
    assert warned, "the demo warns someone"
    return warned[0]


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}]
)
def test_the_widget_shows_the_month_and_links_the_record(browser, demo_site, viewport):
    site = demo_site
    username = _warned_learner(site)
    context, page = signed_in(browser, site, username, viewport)
    widget = page.locator(".elearn-my-training")
    widget.locator(".elearn-my-training__quota").wait_for(timeout=15000)
    text = widget.inner_text()
    assert "required courses this month" in text
    assert "Last month" in text and "fewer required courses than the quota" in text
    assert "Credits:" in text
    assert widget.locator(".elearn-my-training__tasks li").count() >= 1  # due dates
    width = page.evaluate("document.querySelector('.elearn-my-training').scrollWidth")
    assert width <= viewport["width"]
    page.screenshot(
        path=str(site["var"] / f"my-training-widget-{viewport['width']}.png"), full_page=True
    )
    page.click(".elearn-my-training a")
    page.wait_for_load_state()
    if "/elearn/privacy/" in page.url:  # P-32: the privacy notice first, once; it leads back
        page.click("button:has-text('I have read this notice')")
    page.wait_for_url("**/elearn/my-training/")
    record = page.locator("main").inner_text()
    assert "Months closed" in record and "required courses" in record
    page.screenshot(
        path=str(site["var"] / f"my-training-record-{viewport['width']}.png"), full_page=True
    )
    context.close()
