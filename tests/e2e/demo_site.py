"""The demo site (`manage.py elearn_demo --reset`) running in its own process, for the
browser tests of HR's pages; one per test module that uses the fixture."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.e2e.server import ROOT, running_site

PASSWORD = "demo-pass-2026"


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    var = tmp_path_factory.mktemp("lifecycle")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ELEARN_DEVSITE_VAR"] = str(var)
    manage(env, "elearn_demo", "--reset")
    with running_site(env, var) as url:
        yield {"url": url, "env": env, "var": var, "db": var / "devsite.sqlite3"}


def query(site: dict, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(site["db"], timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def hr_page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site['url']}/admin/login/")
    page.fill("#id_username", "hr")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site['url']}/admin/")
    return context, page


def signed_in(browser, site, username: str, viewport=None, *, home: bool = True):
    """A new browser context signed in through the site's login page (a refused sign-in
    stays on it: `home=False`)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site['url']}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if home:
        page.wait_for_url(f"{site['url']}/")
    return context, page


ARTIFACTS = ROOT / "var" / "test-artifacts"


def artifact(name: str) -> str:
    """Where a browser test keeps a screenshot for people to look at after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)
