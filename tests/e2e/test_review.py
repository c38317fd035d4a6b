"""Review before learners see content, in the demo site's browser: the course author submits
the reviewed unit, HR approves it with the checklist and the learner sees the video; an edit
hides it until reviewed again; a rejection keeps it hidden; content marked illegal revokes
its author and mails the audit centre a referral (P-5, P-10, P-11, P-13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.demo_site import hr_page, manage, query, signed_in

pytestmark = pytest.mark.e2e
SCENARIO = "/workbench/scenario/elearn_approval.0/"
PLAYER = ".elearn-video__play"
NOTICE = ".elearn-approval--pending"


def _learner_sees_video(page, site) -> bool:
    page.goto(site["url"] + SCENARIO)
    page.wait_for_selector(f"{PLAYER}, {NOTICE}", timeout=15000)
    return page.locator(PLAYER).count() == 1


def _submit(author, site) -> None:
    author.goto(site["url"] + SCENARIO + "author_view/")
    author.click(".elearn-approval__submit")
    author.wait_for_function(
        "document.querySelector('.elearn-approval__message').textContent.length > 0"
    )
    assert author.locator(".elearn-approval__message").inner_text() == "\u2713"


def _decide(browser, site, step: str, reason: str = "", checklist: bool = True) -> None:
    context, hr = hr_page(browser, site)
    hr.goto(f"{site['url']}/admin/elearn_plugin/reviewitem/?state__exact=submitted")
    hr.locator("#result_list tbody tr th a").first.click()
    hr.click("a.button:has-text('Review and decide')")
    if checklist:
        for box in hr.locator("input[type=checkbox][name^=check_]").all():
            box.check()
    hr.select_option("select[name=step]", step)
    if reason:
        hr.fill("textarea[name=reason]", reason)
    hr.screenshot(path=str(site["var"] / f"review-{step}.png"), full_page=True)
    hr.click("input[type=submit].default")
    assert "The decision is recorded" in hr.locator(".messagelist").inner_text()
    context.close()


def _edit_the_video(author, site, duration: float) -> None:
    """The course author changes the video's settings (its Studio editor's handler)."""
    author.goto(site["url"] + SCENARIO + "author_view/")
    usage = author.locator("[data-block-type=elearn_video]").first.get_attribute("data-usage")
    status = author.evaluate(
        """async ([url, body]) => {
            const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch(url, {method: "POST", body, credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}});
            return r.status;
        }""",
        [
            f"{site['url']}/workbench/handler/{usage}/submit_studio_edits/",
            json.dumps({"values": {"duration": duration}, "defaults": []}),
        ],
    )
    assert status == 200


def test_submit_review_approve_edit_reject_and_illegal(browser, demo_site):
    site = demo_site
    learner_context, learner = signed_in(browser, site, "learner18", {"width": 375, "height": 740})
    assert not _learner_sees_video(learner, site)
    learner.screenshot(path=str(site["var"] / "review-under-review.png"), full_page=True)
    author_context, author = signed_in(browser, site, "author")
    _submit(author, site)
    author.screenshot(path=str(site["var"] / "review-author-view.png"), full_page=True)
    assert not _learner_sees_video(learner, site)  # submitted is not approved

    _decide(browser, site, "approve")  # P-11, P-13: with the whole checklist
    assert _learner_sees_video(learner, site)

    _edit_the_video(author, site, 6.0)  # an edit after approval
    assert not _learner_sees_video(learner, site)
    author.goto(site["url"] + SCENARIO + "author_view/")
    assert "changed since it was approved" in author.content()
    _submit(author, site)
    _decide(browser, site, "reject", "The assembly point is wrong.", checklist=False)
    assert not _learner_sees_video(learner, site)

    _edit_the_video(author, site, 7.0)
    _submit(author, site)
    _decide(browser, site, "illegal", "Copied from a paid course without a licence.", False)
    assert not _learner_sees_video(learner, site)
    learner_context.close()
    author.goto(site["url"] + SCENARIO + "author_view/")
    assert "revoked" in author.content().lower()  # signed out with the reason (P-5, P-8)
    author_context.close()

    ((kind, reason),) = query(
        site,
        "SELECT s.kind, s.reason_code FROM elearn_plugin_sanction s JOIN auth_user a"
        " ON a.id = s.user_id WHERE a.username = 'author' AND s.lifted_at IS NULL",
    )
    assert (kind, reason) == ("revocation", "illegal_upload")
    ((evidence,),) = query(site, "SELECT evidence FROM elearn_plugin_illegalcontentreferral")
    assert "elearn_approval" in json.loads(evidence)["target_key"]
    auditor_context, auditor = signed_in(browser, site, "auditor")
    auditor.goto(f"{site['url']}/elearn/referrals/")
    referral = auditor.locator(".referral").first.inner_text()
    assert "Copied from a paid course" in referral and "author" in referral
    auditor.screenshot(path=str(site["var"] / "referrals.png"), full_page=True)
    auditor_context.close()
    manage(site["env"], "elearn_tick")
    mails = "".join(p.read_text("utf-8") for p in sorted(Path(site["var"], "mail").glob("*")))
    assert "auditor@demo.example.org" in mails and "illegal content reported" in mails
    decided = query(
        site,
        "SELECT context FROM elearn_plugin_outboxmessage WHERE message_type = 'review_decided'",
    )
    assert sorted(json.loads(c)["state"] for (c,) in decided) == ["approve", "reject"]


def test_an_approved_contribution_earns_points(browser, demo_site, tmp_path):  # P-12
    site = demo_site
    picture = tmp_path / "forklift-checklist.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256)
    renamed = tmp_path / "holiday.png"
    renamed.write_bytes(b"MZ\x90\x00" + b"\x00" * 256)  # a program with a picture's name
    context, page = signed_in(browser, site, "learner17", {"width": 375, "height": 740})
    page.goto(f"{site['url']}/elearn/contributions/")
    page.fill("#id_title", "Forklift daily checklist")
    page.set_input_files("#id_file", str(renamed))
    page.click("button[type=submit]")
    assert "not accepted" in page.locator("[role=alert]").inner_text()
    page.fill("#id_title", "Forklift daily checklist")
    page.set_input_files("#id_file", str(picture))
    page.click("button[type=submit]")
    assert "sent for review" in page.locator("[role=status]").inner_text()
    page.screenshot(path=str(site["var"] / "contribution-sent.png"), full_page=True)
    _decide(browser, site, "approve")
    page.goto(f"{site['url']}/elearn/contributions/")
    assert page.locator(".points").inner_text() in ("5", "5.00")
    assert "Approved" in page.locator("dd.state-approved").inner_text()
    page.screenshot(path=str(site["var"] / "contribution-approved.png"), full_page=True)
    # The quarter's judging: HR rewards it as the best, with 20 more points.
    hr_context, hr = hr_page(browser, site)
    hr.goto(f"{site['url']}/admin/elearn_plugin/contribution/")
    hr.check("input.action-select")
    hr.select_option("select[name=action]", "reward")
    hr.click("button[name=index]")
    hr.fill("input[name=round]", "2026-Q4")
    hr.locator("input[name^=rating_]").fill("5")
    hr.locator("input[name^=points_]").fill("20")
    hr.screenshot(path=str(site["var"] / "contribution-judging.png"), full_page=True)
    hr.click("input[type=submit].default")
    assert "1 contributions rewarded" in hr.locator(".messagelist").inner_text()
    hr_context.close()
    page.goto(f"{site['url']}/elearn/contributions/")
    assert page.locator(".points").inner_text() in ("25", "25.00")
    context.close()
    points = query(
        site,
        "SELECT l.source_key, l.amount FROM elearn_plugin_ledgerentry l JOIN auth_user a"
        " ON a.id = l.user_id WHERE a.username = 'learner17' AND l.kind = 'points'"
        " ORDER BY l.source_key",
    )
    assert [(key.split(":")[0], float(amount)) for key, amount in points] == [
        ("award", 20.0),
        ("contribution", 5.0),
    ]
