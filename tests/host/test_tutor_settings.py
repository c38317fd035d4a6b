"""The settings Tutor renders for the plugin, run by the host-shaped harness as Tutor runs them.

Each tutor line (21, 22) renders the plugin with an operator's policy; then, in a fresh
interpreter per service, `lms.envs.tutor.production` / `cms.envs.tutor.production` (stand-ins
of Tutor's settings files: `from lms.envs.production import *` — operator YAML, derivation,
plugin production settings — then the elearn-plugin block of the file Tutor rendered) is loaded
with an operator YAML, Django's `check` runs (elearn.E001 reads the policy Tutor shipped, found
through the compose bind mount of `env/apps/openedx/config`), and the values are compared with
what Tutor generated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.host.path import PLATFORM_ROOT
from tests.host.test_tutor_render import (
    AUTHENTICATION,
    POLICY_IN_CONTAINERS,
    TUTORS,
    compose_services,
    make_policy,
    new_project,
    tutor_or_skip,
)

ROOT = Path(__file__).resolve().parents[2]
LOGIN_FILTER = "org.openedx.learning.student.login.requested.v1"

_PROBE = r"""
import json
import django
from django.conf import settings
django.setup()
from django.core.management import call_command
call_command("check", "--fail-level", "ERROR")
from django.utils.module_loading import import_string
from elearn_plugin.policy.runtime import get_policy

importable = []
for path in settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES:
    try:
        import_string(path)
    except ImportError:
        continue
    importable.append(path)
filters = settings.OPEN_EDX_FILTERS_CONFIG
print(json.dumps({
    "installed": "elearn_plugin.apps.ElearnPluginConfig" in settings.INSTALLED_APPS,
    "policy_file": settings.ELEARN_POLICY_FILE,
    "container_paths": settings.TUTOR_CONTAINER_PATHS,
    "policy_source": str(get_policy().source),
    "authentication": settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES,
    "importable": importable,
    "salt": settings.ELEARN_WATCH_TOKEN_SALT,
    "audit_key": settings.ELEARN_AUDIT_KEY,
    "rate_limit": settings.ELEARN_VIDEO_RATE_LIMIT,
    "login_pipeline": filters["org.openedx.learning.student.login.requested.v1"]["pipeline"],
    "beat": sorted(settings.CELERYBEAT_SCHEDULE),
}))
"""


def _container_mounts(project) -> dict[str, str]:
    """Container folder -> host folder, as the rendered compose file binds them for the lms."""
    mounts = {}
    for volume in compose_services(project, "local/docker-compose.yml")["lms"]["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("../apps/"):
            mounts[target] = str((project.env / "local" / source).resolve())
    return mounts


@pytest.fixture(scope="module", params=sorted(TUTORS), ids=lambda line: f"tutor{line}")
def rendered(request, tmp_path_factory):
    line = request.param
    base = tmp_path_factory.mktemp(f"tutor{line}-settings")
    policy = make_policy(base)
    project = new_project(tutor_or_skip(line), base)
    project.save(f"ELEARN_POLICY_SOURCE={policy}")
    return project, policy


def _load(project, service: str, tmp_path: Path, expect_ok: bool = True):
    config = tmp_path / f"{service}.env.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "SECRET_KEY": "harness",
                "DATABASES": {
                    "default": {
                        "ENGINE": "django.db.backends.sqlite3",
                        "NAME": str(tmp_path / "db"),
                    }
                },
                "ELEARN_VIDEO_RATE_LIMIT": 12,
                # Tutor's block runs after the YAML and the plugin's production step: it wins.
                "ELEARN_WATCH_TOKEN_SALT": "from-the-yaml",
                "OPEN_EDX_FILTERS_CONFIG": {
                    LOGIN_FILTER: {"pipeline": ["other.Step"], "fail_silently": True}
                },
            }
        ),
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "LMS_CFG", "CMS_CFG", "ELEARN_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), PLATFORM_ROOT]),
        DJANGO_SETTINGS_MODULE=f"{service}.envs.tutor.production",
        ELEARN_HARNESS_TUTOR_SETTINGS=str(
            project.env / "apps" / "openedx" / "settings" / service / "production.py"
        ),
        ELEARN_HARNESS_MOUNTS=json.dumps(_container_mounts(project)),
        LMS_CFG=str(config),
        CMS_CFG=str(config),
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if not expect_ok:
        return done
    assert done.returncode == 0, f"{service} settings did not load:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_rendered_settings_load_and_check_in_the_harness(rendered, service, tmp_path):
    project, policy = rendered
    facts = _load(project, service, tmp_path)
    shipped = project.env / "apps" / "openedx" / "config" / "elearn-policy.yml"
    assert facts["installed"]
    assert facts["container_paths"] == {"ELEARN_POLICY_FILE": POLICY_IN_CONTAINERS}
    assert facts["policy_file"] == str(shipped.resolve())
    assert facts["policy_source"] == str(shipped.resolve())
    assert shipped.read_bytes() == policy.read_bytes()
    assert facts["authentication"] == AUTHENTICATION
    # The platform's JWT class (edx-drf-extensions) and DRF's session class are real packages
    # here; the bearer class is the platform's own (openedx/core/lib/api/authentication.py).
    assert facts["importable"] == list(AUTHENTICATION)
    assert facts["salt"] == project.config()["ELEARN_WATCH_TOKEN_SALT"] != "from-the-yaml"
    # `check` passed above with the production settings: the rendered key satisfies elearn.E002.
    assert facts["audit_key"] == project.config()["ELEARN_AUDIT_KEY"]
    assert facts["rate_limit"] == 12
    assert facts["login_pipeline"] == [
        "other.Step",
        "elearn_plugin.standing.filters.RefuseBlockedLogin",
    ]
    assert "elearn.tick" in facts["beat"]


def test_an_invalid_shipped_policy_stops_the_check(rendered, tmp_path):
    """The check reads the very file Tutor shipped: break it there and `check` fails."""
    project, policy = rendered
    shipped = project.env / "apps" / "openedx" / "config" / "elearn-policy.yml"
    try:
        shipped.write_text("version: 1\n", encoding="utf-8")
        done = _load(project, "lms", tmp_path, expect_ok=False)
    finally:
        shipped.write_bytes(policy.read_bytes())
    assert done.returncode != 0
    assert "elearn.E001" in done.stderr
