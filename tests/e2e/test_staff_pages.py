"""The staff pages on the demo site after its months were closed, in Debian's chromium at
desktop and phone width: a training contact's unit page with those behind and the reminder,
HR's compliance dashboard with its charts, and the monthly unit report in the outbox
(P-28, P-31). Screenshots are kept in var/test-artifacts/."""

from __future__ import annotations

import pytest

from tests.e2e.demo_site import artifact, query, signed_in

pytestmark = pytest.mark.e2e
VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 740}]
CONTACT = "contact_north"


def _last_closed(site) -> str:
    return query(site, "SELECT MAX(period) FROM elearn_plugin_monthclose WHERE status='closed'")[0][
        0
    ]


def test_the_monthly_unit_report_is_in_the_outbox(demo_site):  # P-28
    period = _last_closed(demo_site)
    rows = query(
        demo_site,
        "SELECT a.username, o.context FROM elearn_plugin_outboxmessage o JOIN auth_user a"
        " ON a.id = o.user_id WHERE o.message_type = 'monthly_progress' AND o.key LIKE ?",
        (f"%:{period}",),
    )
    assert CONTACT in {name for name, _context in rows}
    assert f"/elearn/units/report/{period}.xlsx" in dict(rows)[CONTACT]
    summaries = query(
        demo_site,
        "SELECT COUNT(*) FROM elearn_plugin_outboxmessage WHERE message_type='monthly_summary'"
        " AND key LIKE ?",
        (f"%:{period}",),
    )
    assert summaries[0][0] >= 1


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_a_contact_sees_those_behind_and_reminds_them(browser, demo_site, viewport):  # P-28
    site = demo_site
    period = _last_closed(site)
    context, page = signed_in(browser, site, CONTACT, viewport)
    page.goto(f"{site['url']}/elearn/units/")
    page.wait_for_url("**/elearn/units/north/")
    figures = page.locator(".figures").inner_text()
    assert f"Behind in {period}" in figures
    page.click(f"text=Behind in {period}")
    rows = page.locator("table.cards tbody tr")
    assert rows.count() >= 1
    assert "Behind" in rows.first.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= viewport["width"], "the page fits the screen"
    page.screenshot(path=artifact(f"unit-page-{viewport['width']}.png"), full_page=True)
    before = query(
        site, "SELECT COUNT(*) FROM elearn_plugin_outboxmessage WHERE message_type=?",
        ("progress_reminder",),
    )[0][0]  # fmt: skip
    page.click("form input[name=all_behind] + button")
    page.wait_for_selector("[role=status]")
    after = query(
        site, "SELECT COUNT(*) FROM elearn_plugin_outboxmessage WHERE message_type=?",
        ("progress_reminder",),
    )[0][0]  # fmt: skip
    # The first run reminds them; the second (other width) finds them reminded today.
    assert after >= before and after >= 1
    context.close()


def test_a_contact_cannot_open_another_units_page(browser, demo_site):  # P-31
    context, page = signed_in(browser, demo_site, CONTACT)
    response = page.goto(f"{demo_site['url']}/elearn/units/south/")
    assert response.status == 403
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_hr_sees_the_dashboard_with_its_charts(browser, demo_site, viewport):  # P-21..P-25
    site = demo_site
    context, page = signed_in(browser, site, "hr", viewport)
    # The month just closed, as the monthly summary's link opens it.
    response = page.goto(f"{site['url']}/elearn/hr/?period={_last_closed(site)}")
    assert response.status == 200
    # The charts are SVG drawn on the server, each with its text alternative.
    charts = page.locator("main img[src^='data:image/svg+xml']")
    assert charts.count() >= 2
    assert all(charts.nth(i).get_attribute("alt") for i in range(charts.count()))
    assert all(charts.nth(i).evaluate("img => img.naturalWidth > 0") for i in range(2))
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= viewport["width"], "the page fits the screen"
    page.screenshot(path=artifact(f"hr-dashboard-{viewport['width']}.png"), full_page=True)
    context.close()
