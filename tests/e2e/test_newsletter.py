"""The newsletter's ranking fragment in the browser: the demo's closed quarter rendered as HR
pastes it into the company newsletter, in Chinese and English, escaped, readable on a phone
and printable (P-25)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e
HOSTILE = '<img src=x onerror="document.title=1">'


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    var = tmp_path_factory.mktemp("newsletter")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ELEARN_DEVSITE_VAR"] = str(var)
    printed = _manage(env, "elearn_demo", "--reset")
    quarter = re.search(r"Latest quarter ranking: (\d{4}-Q[1-4])", printed).group(1)
    with sqlite3.connect(var / "devsite.sqlite3") as conn:
        (user_id,) = conn.execute(
            "SELECT e.user_id FROM elearn_plugin_rankingentry e JOIN elearn_plugin_ranking r"
            " ON r.id = e.ranking_id WHERE r.period = ? ORDER BY e.rank LIMIT 1",
            (quarter,),
        ).fetchone()
        conn.execute(
            "UPDATE elearn_plugin_person SET name = ? WHERE user_id = ?", (HOSTILE, user_id)
        )
    fragments = {}
    for language in ("zh-cn", "en"):
        target = Path(var) / f"{quarter}-{language}.html"
        _manage(
            env,
            "elearn_report",
            "ranking",
            "--period",
            quarter,
            "--format",
            "html",
            "--language",
            language,
            "--output",
            str(target),
        )
        fragments[language] = target.read_text(encoding="utf-8")
    return {"quarter": quarter, "fragments": fragments, "var": var}


def _newsletter(page, fragment: str) -> None:
    """The fragment inside a newsletter page, as HR pastes it."""
    page.set_content(
        "<!doctype html><html><head><meta charset='utf-8'><title>Newsletter</title></head>"
        f"<body><header><h1>Newsletter</h1></header>{fragment}</body></html>"
    )


def test_the_quarter_ranking_renders_escaped_in_both_languages(browser, demo):  # P-25
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    _newsletter(page, demo["fragments"]["zh-cn"])
    heading = page.locator(".elearn-ranking h2").inner_text()
    assert "学习积分排行榜" in heading and demo["quarter"] in heading
    rows = page.locator(".elearn-ranking tbody tr")
    assert rows.count() >= 3
    first = rows.nth(0).locator("td")
    assert first.nth(0).inner_text() == "1"
    assert first.nth(1).inner_text() == HOSTILE  # shown as text …
    assert page.locator(".elearn-ranking img").count() == 0  # … never as markup
    assert page.title() == "Newsletter"
    page.screenshot(path=str(demo["var"] / "newsletter-zh.png"), full_page=True)
    _newsletter(page, demo["fragments"]["en"])
    assert "Learning credits ranking" in page.locator(".elearn-ranking h2").inner_text()
    assert [page.locator("thead th").nth(i).inner_text() for i in range(4)] == [
        "Rank",
        "Name",
        "Unit",
        "Credits",
    ]
    context.close()


def test_the_fragment_fits_a_phone_and_prints(browser, demo):  # P-25
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    _newsletter(page, demo["fragments"]["zh-cn"])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(demo["var"] / "newsletter-phone.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".elearn-ranking tbody tr").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:5] == b"%PDF-"
    context.close()
