"""A learner of the demo site gives the family a link to the progress report, in the browser:
the privacy notice comes first, the link opens the report at phone width for someone not
signed in, and stops working once revoked (P-32, P-35)."""

from __future__ import annotations

import pytest

from tests.e2e.demo_site import artifact, query, signed_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 740}


def test_a_family_link_opens_the_report_and_stops_when_revoked(browser, demo_site):
    site = demo_site
    context, page = signed_in(browser, site, "learner02", PHONE)
    page.goto(f"{site['url']}/elearn/family/")
    assert "/elearn/privacy/" in page.url, "the notice comes first"
    assert "180 days" in page.content()
    page.screenshot(path=artifact("privacy-notice-375.png"), full_page=True)
    page.click("button:has-text('I have read this notice')")
    page.wait_for_url(f"{site['url']}/elearn/family/")
    page.fill("#id_days", "7")
    page.click("button:has-text('Create a family link')")
    link = page.input_value("#new-link")
    assert link.startswith(f"{site['url']}/elearn/family/view/")
    page.screenshot(path=artifact("family-links-375.png"), full_page=True)

    family = browser.new_context(viewport=PHONE)  # the family member: no account
    report = family.new_page()
    answer = report.goto(link)
    assert answer.status == 200
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in answer.headers["cache-control"]
    text = report.locator("main").inner_text()
    assert "Learning progress of" in text and "Required courses this month" in text
    assert "learner02" not in report.content() and "@" not in text
    report.screenshot(path=artifact("family-view-375.png"), full_page=True)

    page.goto(f"{site['url']}/elearn/family/")
    assert page.locator(".links li").first.locator("dd").nth(3).inner_text() == "1"
    page.click("button:has-text('Revoke')")
    assert "no longer works" in page.locator("[role=status]").inner_text()
    answer = report.goto(link)
    assert answer.status == 410
    assert "This link no longer works" in report.locator("h1").inner_text()
    family.close()
    context.close()

    (learner_id,) = query(site, "SELECT id FROM auth_user WHERE username = 'learner02'")[0]
    rows = query(
        site,
        "SELECT view_count, revoked_at IS NOT NULL FROM elearn_plugin_familylink WHERE user_id = ?",
        (learner_id,),
    )
    assert rows == [(1, 1)]
    verbs = dict(
        query(
            site,
            "SELECT verb, COUNT(*) FROM elearn_plugin_auditevent WHERE verb LIKE 'family.%'"
            " OR verb LIKE 'privacy.%' GROUP BY verb",
        )
    )
    # The demo's own link for learner01 is one more issue.
    assert verbs == {
        "family.link_issued": 2,
        "family.link_viewed": 1,
        "family.link_revoked": 1,
        "privacy.notice_acknowledged": 1,
    }
