"""The demo site (`manage.py elearn_demo --reset`) running in its own process, for the
browser tests of HR's pages; one per test module that uses the fixture."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT

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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(var / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)  # noqa: S310
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the demo site did not start:\n" + (var / "server.log").read_text())
            time.sleep(0.3)
    try:
        yield {"url": url, "env": env, "var": var, "db": var / "devsite.sqlite3"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


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
