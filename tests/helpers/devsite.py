"""Running the standalone site's own `manage.py` (or a Python snippet) in a fresh process.

The dev site is run as an operator runs it: its settings module, its data folder, and the
packaged policy chosen by the site (an `ELEARN_POLICY_FILE` of the test run is dropped).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_site(args: list[str], var: Path | str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`python *args` with the dev site's settings and `var` as its data folder."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="conf.devsite.settings",
        ELEARN_DEVSITE_VAR=str(var),
        PYTHONPATH=str(ROOT),
    )
    env.pop("ELEARN_POLICY_FILE", None)
    return subprocess.run(  # noqa: S603 - the test's own interpreter and arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
