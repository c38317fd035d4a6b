"""The Tutor plugin renders offline into the image, the settings and the k8s schedule.

Tutor is not part of the test environment (it brings kubernetes and mypy): the test runs where
a `tutor` script is found beside the interpreter or named by ELEARN_TUTOR.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGINS_ROOT = ROOT / "conf" / "tutor"


def _tutor() -> str:
    candidates = [os.environ.get("ELEARN_TUTOR", ""), str(Path(sys.executable).with_name("tutor"))]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip(
        "tutor is not installed: pip install 'tutor>=21,<23' in a separate venv and set "
        "ELEARN_TUTOR=/path/to/venv/bin/tutor"
    )


def _run(tutor: str, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TUTOR_ROOT=str(root), TUTOR_PLUGINS_ROOT=str(PLUGINS_ROOT))
    return subprocess.run(
        [tutor, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    tutor = _tutor()
    root = tmp_path_factory.mktemp("tutor-root")
    enabled = _run(tutor, root, "plugins", "enable", "elearn")
    assert enabled.returncode == 0, enabled.stderr
    saved = _run(
        tutor,
        root,
        "config",
        "save",
        "--set",
        "ELEARN_PIP_REQUIREMENT=elearn-plugin==9.9.9",
        "--set",
        "ELEARN_POLICY_FILE=/openedx/config/elearn-policy.yaml",
    )
    assert saved.returncode == 0, saved.stderr
    return root / "env"


def test_image_installs_the_plugin(rendered: Path):
    dockerfile = (rendered / "build" / "openedx" / "Dockerfile").read_text()
    assert "install 'elearn-plugin==9.9.9'" in dockerfile


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_settings_reach_lms_and_studio(rendered: Path, service: str):
    production = (
        rendered / "apps" / "openedx" / "settings" / service / "production.py"
    ).read_text()
    assert 'ELEARN_HOST_ADAPTERS = "platform"' in production
    assert 'ELEARN_POLICY_FILE = "/openedx/config/elearn-policy.yaml"' in production
    compile(production, f"{service}/production.py", "exec")


def test_tick_is_scheduled_on_kubernetes(rendered: Path):
    # P-33: Tutor runs no beat; the tick runs from a CronJob that forbids overlapping runs.
    documents = [
        d for d in yaml.safe_load_all((rendered / "k8s" / "deployments.yml").read_text()) if d
    ]
    cronjobs = [d for d in documents if d.get("kind") == "CronJob"]
    assert [c["metadata"]["name"] for c in cronjobs] == ["elearn-tick"]
    spec = cronjobs[0]["spec"]
    assert spec["schedule"] == "*/5 * * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    container = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["./manage.py", "lms", "elearn_tick"]
    assert "{{" not in str(container["image"])


def test_bad_setting_value_is_refused(tmp_path: Path):
    # Bad input: a malformed --set is rejected by Tutor, naming the setting, and saves nothing.
    tutor = _tutor()
    assert _run(tutor, tmp_path, "plugins", "enable", "elearn").returncode == 0
    before = (tmp_path / "config.yml").read_text()
    result = _run(tutor, tmp_path, "config", "save", "--set", "ELEARN_TICK_SCHEDULE")
    assert result.returncode != 0
    assert "ELEARN_TICK_SCHEDULE" in result.stderr
    assert (tmp_path / "config.yml").read_text() == before


def test_plugin_module_is_found_by_tutor(tmp_path: Path):
    tutor = _tutor()
    listed = _run(tutor, tmp_path, "plugins", "list")
    assert listed.returncode == 0, listed.stderr
    assert "elearn" in listed.stdout
