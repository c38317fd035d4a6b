"""Browser tests: the standalone site in its own process, driven through Debian's chromium.

The site runs `manage.py runserver` with `tests.e2e.devsite_settings` on a free port and a
temporary ELEARN_DEVSITE_VAR; the tests read its SQLite file to check what the server stored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, running_site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
PASSWORD = "demo-pass-1234"
LEARNERS = ("learner_play", "learner_seek", "learner_close", "learner_phone", "learner_rewind")


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=tests.e2e.devsite_settings"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[dict]:
    """A running standalone site with one learner; yields its URL and database path."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        pytest.skip("playwright (Python package) is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium is missing at {CHROMIUM} (make system-deps)")
    var = tmp_path_factory.mktemp("devsite")
    env = {**os.environ, "ELEARN_DEVSITE_VAR": str(var), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    _manage(env, "migrate", "--run-syncdb", "--noinput")
    script = (
        "from django.contrib.auth import get_user_model;"
        f"[get_user_model().objects.create_user(n, password='{PASSWORD}') for n in {LEARNERS!r}]"
    )
    _manage(env, "shell", "-c", script)
    try:
        with running_site(env, var, "--settings=tests.e2e.devsite_settings") as url:
            yield {"url": url, "db": var / "devsite.sqlite3", "var": var}
    finally:
        shutil.rmtree(var / "djpyfs", ignore_errors=True)


@pytest.fixture(scope="session")
def browser(site):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def query(site: dict, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the site's database (what the server stored, not what the page shows)."""
    with sqlite3.connect(site["db"], timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def login(site, browser):
    """A fresh browser context signed in as one of LEARNERS; `viewport` may be given."""
    contexts = []

    def _login(username: str, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site['url']}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{site['url']}/")
        return page

    yield _login
    for context in contexts:
        context.close()


from tests.e2e.demo_site import demo_site  # noqa: E402, F401 - a fixture, one per module
