"""The account lifecycle on the demo site, as HR does it in the browser: a departure blocks
the learner's sign-in and frees a seat; a transfer moves the learner's open tasks and history
to the new unit and tells both units' contacts and HR once; a roster file that would freeze
40 % of the organisation is held, and `--confirm` applies it (P-2, P-6, P-7)."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest

from tests.e2e.demo_site import PASSWORD
from tests.e2e.demo_site import hr_page as _hr_page
from tests.e2e.demo_site import manage as _manage
from tests.e2e.demo_site import query as _query

pytestmark = pytest.mark.e2e
HEADER = ["employee_id", "username", "name", "email", "unit", "job_role", "status", "hired", "left"]


def _free_seats(site: dict) -> int:
    done = _manage(site["env"], "elearn_seats", "--format", "json")
    (pool,) = json.loads(done.stdout)["pools"]
    return pool["free"]


def _choose(page, site, employee_id: str, action: str) -> None:
    page.goto(f"{site['url']}/admin/elearn_plugin/person/?q={employee_id}")
    page.check("input.action-select")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_departure_blocks_sign_in_and_frees_a_seat(browser, demo_site):  # P-7, P-2
    site = demo_site
    free = _free_seats(site)
    context, page = _hr_page(browser, site)
    _choose(page, site, "D010", "depart")
    assert "Record departure" in page.content()
    page.screenshot(path=str(site["var"] / "depart-form.png"), full_page=True)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.fill("input[name=day]", yesterday)
    page.click("input[type=submit].default")
    assert "1 accounts frozen" in page.locator(".messagelist").inner_text()
    context.close()
    assert _free_seats(site) == free + 1
    learner = browser.new_context()
    sign_in = learner.new_page()
    sign_in.goto(f"{site['url']}/login/")
    sign_in.fill("#id_username", "learner10")
    sign_in.fill("#id_password", PASSWORD)
    sign_in.click("button[type=submit]")
    assert sign_in.url.rstrip("/").endswith("/login")
    assert "_auth_user_id" not in str(learner.cookies())
    sign_in.screenshot(path=str(site["var"] / "departed-sign-in.png"), full_page=True)
    learner.close()
    (status,) = _query(site, "SELECT status FROM elearn_plugin_person WHERE employee_id='D010'")
    assert status == ("departed",)


def test_transfer_moves_tasks_and_tells_both_contacts_and_hr_once(browser, demo_site):  # P-6
    site = demo_site
    (user_id,) = _query(site, "SELECT user_id FROM elearn_plugin_person WHERE employee_id='D002'")
    tasks = _query(site, "SELECT course_key FROM elearn_plugin_assignment WHERE user_id=?", user_id)
    context, page = _hr_page(browser, site)
    _choose(page, site, "D002", "transfer")
    page.click(".select2-selection")
    page.fill(".select2-search__field", "north_sales")  # the admin's autocomplete: by code
    page.locator(".select2-results__option", has_text="Northern Sales").click()
    page.screenshot(path=str(site["var"] / "transfer-form.png"), full_page=True)
    page.click("input[type=submit].default")
    assert "1 people transferred to north_sales" in page.locator(".messagelist").inner_text()
    context.close()
    (unit,) = _query(
        site,
        "SELECT u.code FROM elearn_plugin_person p JOIN elearn_plugin_unit u ON u.id = p.unit_id"
        " WHERE p.employee_id='D002'",
    )
    assert unit == ("north_sales",)
    # Every task they had is still theirs; the new unit's job-role rules may add more.
    after = _query(site, "SELECT course_key FROM elearn_plugin_assignment WHERE user_id=?", user_id)
    assert tasks and set(tasks) <= set(after)
    told = _query(
        site,
        "SELECT a.username, COUNT(*) FROM elearn_plugin_outboxmessage m JOIN auth_user a"
        " ON a.id = m.user_id WHERE m.message_type='transfer_handover' GROUP BY a.username",
    )
    assert dict(told) == {"contact_it": 1, "contact_north_sales": 1, "hr": 1}


def test_a_roster_freezing_40_percent_is_held_until_confirmed(browser, demo_site, tmp_path):
    # P-7
    site = demo_site
    rows = _query(
        site,
        "SELECT p.employee_id, a.username, p.name, a.email, u.code, COALESCE(r.code, ''),"
        " p.hired_on FROM elearn_plugin_person p JOIN auth_user a ON a.id = p.user_id"
        " JOIN elearn_plugin_unit u ON u.id = p.unit_id"
        " LEFT JOIN elearn_plugin_jobrole r ON r.id = p.job_role_id"
        " WHERE p.status = 'active' ORDER BY p.employee_id",
    )
    # 40 % of the active people leave, none of them someone who joined a unit since then
    # (D002 moved today: a departure two days ago would be refused as contradicting it).
    leavers = {row[0] for row in rows if row[0] != "D002"}
    leavers = set(sorted(leavers)[: len(rows) * 2 // 5])
    day = (date.today() - timedelta(days=2)).isoformat()
    path = tmp_path / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for emp, username, name, email, unit, role, hired in rows:
            left = emp in leavers
            writer.writerow(
                [
                    emp,
                    username,
                    name,
                    email,
                    unit,
                    role,
                    "left" if left else "active",
                    hired,
                    day if left else "",
                ]
            )
    departed = _query(site, "SELECT COUNT(*) FROM elearn_plugin_person WHERE status='departed'")
    # HR reads the file in the admin first: the changes are listed, nothing is applied.
    context, page = _hr_page(browser, site)
    page.goto(f"{site['url']}/admin/elearn_plugin/person/")
    page.click("text=Sync with HR's roster")
    page.set_input_files("input[name=roster]", str(path))
    page.click("input[type=submit].default")
    assert page.locator("input[name=confirm]").is_visible()
    assert "max_departure_share" in page.content()
    page.screenshot(path=str(site["var"] / "roster-held.png"), full_page=True)
    context.close()
    held = _manage(site["env"], "elearn_sync_roster", "--csv", str(path), check=False)
    assert held.returncode == 3, held.stderr
    assert "--confirm" in held.stdout + held.stderr
    assert (
        _query(site, "SELECT COUNT(*) FROM elearn_plugin_person WHERE status='departed'")
        == departed
    )
    applied = _manage(
        site["env"], "elearn_sync_roster", "--csv", str(path), "--confirm", check=False
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"departures: {len(leavers)}" in applied.stdout
    ((now,),) = _query(site, "SELECT COUNT(*) FROM elearn_plugin_person WHERE status='departed'")
    assert now == departed[0][0] + len(leavers)
