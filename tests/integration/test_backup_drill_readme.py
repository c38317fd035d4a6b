"""The README's backup drill for the dev site runs as written (P-33): on the demo data, the
backup, the restore and `elearn_check_integrity` pass; a restored copy missing an account is
named by the check."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

from tests.integration.conftest import ROOT

README = ROOT / "README.md"


def _drill() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- backup-drill -->\n```sh\n(.*?)```\n<!-- /backup-drill -->", text, re.S)
    assert match, "the README holds the drill between its markers"
    return match.group(1)


def _env(var) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ELEARN_DEVSITE_VAR"] = str(var)
    return env


def test_the_readme_drill_restores_a_site_that_passes_the_check(tmp_path):  # P-33
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "elearn_demo", "--reset"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    drill = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _drill()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert (tmp_path / "backup" / "audit-head.txt").read_text().strip()

    # A restore that lost an account: the check names it and fails.
    with sqlite3.connect(tmp_path / "devsite.sqlite3") as db:
        db.execute("PRAGMA foreign_keys = OFF")
        victim = db.execute(
            "SELECT user_id FROM elearn_plugin_person ORDER BY user_id DESC LIMIT 1"
        ).fetchone()[0]
        db.execute("DELETE FROM auth_user WHERE id = ?", (victim,))
    check = "VAR=${ELEARN_DEVSITE_VAR}; BACKUP=$VAR/backup\n" + _drill().strip().splitlines()[-1]
    broken = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", check],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "missing_user" in broken.stdout + broken.stderr
