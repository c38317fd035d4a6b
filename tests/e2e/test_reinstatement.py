"""A revoked learner of the demo site applies to be reinstated and HR approves, in the
browser: the refusal links to the application, the one-time link arrives by mail, HR reads
the statement and approves with a reason, and the learner signs in again (P-8, P-23)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.demo_site import hr_page, manage, query, signed_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 740}


def _revoked(site: dict) -> tuple[str, str]:
    rows = query(
        site,
        "SELECT a.username, a.email FROM elearn_plugin_sanction s JOIN auth_user a"
        " ON a.id = s.user_id WHERE s.kind = 'revocation' AND s.lifted_at IS NULL",
    )
    assert rows, "the demo has a revoked learner"
    return rows[0]


def _mails(site: dict) -> str:
    folder = Path(site["var"]) / "mail"
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*")))


def _sign_in(browser, site, username: str):
    return signed_in(browser, site, username, PHONE, home=False)


def test_a_revoked_learner_applies_and_hr_reopens_the_account(browser, demo_site):
    site = demo_site
    username, email = _revoked(site)
    context, page = _sign_in(browser, site, username)
    alert = page.locator("[role=alert]").inner_text()
    assert "revoked" in alert and "/elearn/reinstatement/" in alert
    page.screenshot(path=str(site["var"] / "revoked-sign-in.png"), full_page=True)
    page.click("[role=alert] a[href*='/elearn/reinstatement/']")
    page.fill("#id_identifier", email)
    page.click("button[type=submit]")
    assert "a link to the application has been sent" in page.locator("[role=status]").inner_text()
    page.screenshot(path=str(site["var"] / "reinstatement-requested.png"), full_page=True)
    # The tick drains the outbox: the link is in the learner's mail.
    manage(site["env"], "elearn_tick")
    links = re.findall(r"http://127\.0\.0\.1:\d+/elearn/reinstatement/apply/[\w-]+/", _mails(site))
    assert len(set(links)) == 1, "one link was mailed"
    page.goto(links[0])
    page.fill("#id_statement", "I was on parental leave in those months; HR has the certificate.")
    page.screenshot(path=str(site["var"] / "reinstatement-apply.png"), full_page=True)
    page.click("button[type=submit]")
    assert "sent to the HR centre" in page.locator("[role=status]").inner_text()
    page.goto(links[0])  # the link works once
    assert "used already" in page.locator("[role=alert]").inner_text()
    context.close()

    hr_context, hr = hr_page(browser, site)
    hr.goto(f"{site['url']}/admin/elearn_plugin/reinstatementapplication/?status__exact=pending")
    hr.check("input.action-select")
    hr.select_option("select[name=action]", "approve")
    hr.click("button[name=index]")
    assert "parental leave" in hr.content()
    hr.fill("textarea[name=reason]", "Leave certificate checked; catch up by month end.")
    hr.screenshot(path=str(site["var"] / "reinstatement-decision.png"), full_page=True)
    hr.click("input[type=submit].default")
    assert "1 applications decided" in hr.locator(".messagelist").inner_text()
    hr_context.close()

    context, page = _sign_in(browser, site, username)
    page.wait_for_url(f"{site['url']}/")
    assert "_auth_user_id" not in page.content()
    context.close()
    manage(site["env"], "elearn_tick")
    assert "Your learning account has been reopened" in _mails(site)
    events = dict(
        query(
            site,
            "SELECT verb, COUNT(*) FROM elearn_plugin_auditevent WHERE verb LIKE"
            " 'reinstatement.%' GROUP BY verb",
        )
    )
    assert events == {
        "reinstatement.link_sent": 1,
        "reinstatement.applied": 1,
        "reinstatement.approved": 1,
    }
