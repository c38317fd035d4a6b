"""Account sharing in the demo site, in the browser: one account plays the tracked video in
two browsers at once; the tick records one incident, flagged as the demo's policy says; HR
confirms it in the admin; the learner is signed out with the end of a week's suspension, and
the suspension ends by itself (P-4, P-8). Switching from the PC to the phone is not an
incident (P-19)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.demo_site import hr_page, manage, query, signed_in

pytestmark = pytest.mark.e2e
SCENARIO = "/workbench/scenario/elearn_video.0/"
PHONE = {"width": 375, "height": 740}


def _player(browser, site, username: str, viewport=None):
    context, page = signed_in(browser, site, username, viewport)
    page.goto(site["url"] + SCENARIO)
    page.wait_for_selector(".elearn-video__play:not([disabled])", timeout=15000)
    page.wait_for_function(
        "document.querySelector('.elearn-video__media').readyState >= 1", timeout=15000
    )
    return context, page


def _user_id(site, username: str) -> int:
    return query(site, "SELECT id FROM auth_user WHERE username = ?", (username,))[0][0]


def _count(site, table: str, user_id: int) -> int:
    return query(site, f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,))[0][0]  # noqa: S608


def test_moving_from_the_pc_to_the_phone_is_no_incident(browser, demo_site):  # P-19
    site, username = demo_site, "learner19"
    pc_context, pc = _player(browser, site, username)
    pc.click(".elearn-video__play")
    pc.wait_for_timeout(2000)
    pc.click(".elearn-video__play")  # pause, and leave the desk
    pc_context.close()
    phone_context, phone = _player(browser, site, username, PHONE)
    phone.click(".elearn-video__play")
    phone.wait_for_selector(".elearn-video__status.is-complete", timeout=20000)
    phone_context.close()
    manage(site["env"], "elearn_tick")
    user_id = _user_id(site, username)
    assert _count(site, "elearn_plugin_sharingsuspicion", user_id) == 0
    assert _count(site, "elearn_plugin_sharingincident", user_id) == 0
    assert _count(site, "elearn_plugin_videocompletion", user_id) == 1


def test_two_browsers_at_once_are_one_incident_and_a_weeks_suspension(browser, demo_site):
    site, username = demo_site, "learner20"  # P-4
    user_id = _user_id(site, username)
    first_context, first = _player(browser, site, username)
    second_context, second = _player(browser, site, username, PHONE)
    first.click(".elearn-video__play")
    second.click(".elearn-video__play")
    second.wait_for_selector(".elearn-video__status.is-complete", timeout=20000)
    first.wait_for_timeout(2000)
    assert _count(site, "elearn_plugin_sharingsuspicion", user_id) >= 1
    manage(site["env"], "elearn_tick")
    manage(site["env"], "elearn_tick")  # a second tick adds nothing
    rows = query(
        site, "SELECT id, status FROM elearn_plugin_sharingincident WHERE user_id = ?", (user_id,)
    )
    assert [status for _pk, status in rows] == ["flagged"]  # the demo's sharing.action: flag

    hr_context, hr = hr_page(browser, site)
    hr.goto(f"{site['url']}/admin/elearn_plugin/sharingincident/{rows[0][0]}/change/")
    hr.screenshot(path=str(site["var"] / "sharing-incident.png"), full_page=True)
    assert "Overlapping playback" in hr.content()
    hr.goto(f"{site['url']}/admin/elearn_plugin/sharingincident/?status__exact=flagged")
    hr.check("input.action-select")
    hr.select_option("select[name=action]", "confirm")
    hr.click("button[name=index]")
    assert "1 incidents decided" in hr.locator(".messagelist").inner_text()
    hr_context.close()

    first.reload()
    assert "suspended" in first.locator("h1").inner_text()
    first.screenshot(path=str(site["var"] / "sharing-suspended.png"), full_page=True)
    first_context.close()
    second_context.close()
    ((starts, ends),) = query(
        site,
        "SELECT starts_at, ends_at FROM elearn_plugin_sanction WHERE user_id = ?"
        " AND kind = 'suspension' AND reason_code = 'sharing' AND lifted_at IS NULL",
        (user_id,),
    )
    # A week, with an end: the block ends by itself, no one lifts it.
    length = datetime.fromisoformat(ends) - datetime.fromisoformat(starts)
    assert length == timedelta(days=7)
