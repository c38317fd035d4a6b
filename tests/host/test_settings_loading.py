"""The plugin's settings inside the platform's settings order, in fresh processes (P-34).

Mirrors openedx-platform `openedx/envs/common.py` (LOCALE_PATHS and the Celery defaults are
`Derived`), `lms/envs/common.py` and `cms/envs/common.py` (plugin *common* settings run there,
before anything is derived), `lms/envs/production.py` and `cms/envs/production.py` (YAML
replaces keys wholesale, then `derive_settings`, then plugin *production* settings),
`lms/envs/test.py`, and Tutor's `build/openedx/settings/{lms,cms}/i18n.py`, which the image
build uses to compile translations. Each module is imported in its own interpreter, as the
LMS, Studio, their workers and `docker build` do.
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

ROOT = Path(__file__).resolve().parents[2]
LOGIN_FILTER = "org.openedx.learning.student.login.requested.v1"
OTHER_STEP = "some_other_plugin.filters.Step"
OUR_STEP = "elearn_plugin.standing.filters.RefuseBlockedLogin"
# Registered by the AppConfig's ready(), in this order: a month's hours before its rankings,
# and the units' monthly report (P-28) last, as it reads the hours just recorded.
HOOKS = [
    "elearn_plugin.hours.hooks.record_closed_month_hours",
    "elearn_plugin.rankings.hooks.freeze_completed_rankings",
    "elearn_plugin.staff.monthly.send_monthly_reports",
]

_PROBE = (
    f"LOGIN_FILTER = {LOGIN_FILTER!r}\n"
    + r"""
import json, sys
import django
from django.conf import settings
django.setup()
from django.core.management import call_command
call_command("check", "--fail-level", "ERROR")
from openedx.core.lib.derived import Derived

def derived_left(value, path):
    if isinstance(value, Derived):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from derived_left(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from derived_left(item, f"{path}[{index}]")

left = [p for name in dir(settings) if name.isupper()
        for p in derived_left(getattr(settings, name), name)]
filters = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", {})
from elearn_plugin.month_close import registry
print(json.dumps({
    "month_closed_hooks": [f"{h.__module__}.{h.__qualname__}" for h in registry._HOOKS],
    "derived_left": left,
    "locale_paths": list(settings.LOCALE_PATHS),
    "installed": "elearn_plugin.apps.ElearnPluginConfig" in settings.INSTALLED_APPS,
    "login_filter": filters.get(LOGIN_FILTER),
    "render_filter": filters.get("org.openedx.learning.xblock.render.started.v1"),
    "middleware": list(settings.MIDDLEWARE),
    "beat": sorted(getattr(settings, "CELERYBEAT_SCHEDULE", {})),
    "rate_limit": getattr(settings, "ELEARN_VIDEO_RATE_LIMIT", None),
    "family_view": getattr(settings, "ELEARN_FAMILY_VIEW_ENABLED", None),
    "feedback_days": getattr(settings, "ELEARN_FEEDBACK_ANSWER_DAYS", None),
    "policy_file": getattr(settings, "ELEARN_POLICY_FILE", None),
    "default_queue": getattr(settings, "CELERY_DEFAULT_QUEUE", None),
}))
"""
)


def _load(settings_module: str, tmp_path: Path, config: dict | None = None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LMS_CFG", "CMS_CFG", "ELEARN_"))
    }
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), PLATFORM_ROOT])
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    if config is not None:
        path = tmp_path / "config.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        env["LMS_CFG"] = env["CMS_CFG"] = str(path)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{settings_module} did not load:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _operator_yaml(tmp_path: Path) -> dict:
    """What an operator's LMS_CFG / CMS_CFG holds (Tutor renders lms.env.yml / cms.env.yml)."""
    return {
        "SECRET_KEY": "harness",
        "DATABASES": {
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db")}
        },
        # Replaces the dict wholesale, as the platform's vars().update() does.
        "OPEN_EDX_FILTERS_CONFIG": {
            LOGIN_FILTER: {"pipeline": [OTHER_STEP], "fail_silently": True},
        },
        "CELERYBEAT_SCHEDULE": {"operator.job": {"task": "operator.job", "schedule": 60}},
        "ELEARN_VIDEO_RATE_LIMIT": 12,
        "ELEARN_FAMILY_VIEW_ENABLED": True,
        "ELEARN_AUDIT_KEY": "operator-audit-key-kept-outside-the-database",
        "FEATURES": {"ENABLE_SOMETHING": True},
    }


@pytest.mark.parametrize("module", ["lms.envs.test", "cms.envs.test"])
def test_test_settings_load_and_derive(module, tmp_path):
    facts = _load(module, tmp_path)
    assert facts["installed"]
    assert facts["derived_left"] == []
    # Django finds the plugin's locale/ as an installed app's: no LOCALE_PATHS entry needed.
    assert not any("elearn_plugin" in path for path in facts["locale_paths"])
    assert facts["login_filter"]["pipeline"] == [
        "elearn_plugin.standing.filters.RefuseBlockedLogin"
    ]
    # P-24, P-25: the AppConfig's ready(), run by the platform's django.setup() in the LMS and
    # Studio alike, registers the month close's hooks once: hours recorded before rankings.
    assert facts["month_closed_hooks"] == HOOKS
    # The records' defaults (settings/defaults.py) reach the host's settings: the family view
    # off (P-35), five working days to answer feedback (P-29).
    assert (facts["family_view"], facts["feedback_days"]) == (False, 5)


@pytest.mark.parametrize(
    ("module", "queue"),
    [
        ("lms.envs.production", "edx.lms.core.default"),
        ("cms.envs.production", "edx.cms.core.default"),
    ],
)
def test_production_settings_keep_the_operators_yaml_and_the_plugins_steps(module, queue, tmp_path):
    facts = _load(module, tmp_path, _operator_yaml(tmp_path))
    assert facts["derived_left"] == []
    assert facts["default_queue"] == queue
    assert facts["rate_limit"] == 12  # the operator's value wins over the plugin default
    assert facts["family_view"] is True  # a school's YAML turns the family view on (P-35)
    # The YAML replaced the filters dict; the plugin's production step joined the pipeline
    # again without dropping the operator's step or their fail_silently choice. P-8
    login = facts["login_filter"]
    assert login["pipeline"] == [OTHER_STEP, OUR_STEP]
    assert login["fail_silently"] is True
    # The YAML replaced the beat schedule too; the tick is scheduled again beside the job. P-33
    assert facts["beat"] == ["elearn.tick", "operator.job"]
    assert "elearn_plugin.standing.middleware.BlockedSessionMiddleware" in facts["middleware"]
    # P-4: after the platform's session and authentication middleware, which it reads.
    places = facts["middleware"].index("elearn_plugin.sharing.places.PlacesMiddleware")
    assert places > facts["middleware"].index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    assert facts["month_closed_hooks"] == HOOKS  # P-24, P-25: ready() ran in production too


def test_production_settings_without_filters_or_beat_in_the_yaml(tmp_path):
    config = _operator_yaml(tmp_path)
    del config["OPEN_EDX_FILTERS_CONFIG"], config["CELERYBEAT_SCHEDULE"]
    facts = _load("lms.envs.production", tmp_path, config)
    assert facts["login_filter"] == {
        "pipeline": [OUR_STEP],
        "fail_silently": False,
    }
    # P-10, P-11: a gated block rendered on its own is hidden, in production too.
    assert facts["render_filter"] == {
        "pipeline": ["elearn_plugin.review.filters.HideUnapprovedContent"],
        "fail_silently": False,
    }
    assert facts["beat"] == ["elearn.tick"]


@pytest.mark.parametrize("module", ["lms.envs.production", "cms.envs.production"])
def test_production_without_an_audit_key_fails_the_system_check(module, tmp_path):
    """P-33: a production site whose trail cannot be sealed does not pass `check` (elearn.E002)."""
    config = _operator_yaml(tmp_path)
    del config["ELEARN_AUDIT_KEY"]
    with pytest.raises(AssertionError, match="elearn.E002"):
        _load(module, tmp_path, config)


@pytest.mark.parametrize("module", ["lms.envs.tutor.i18n", "cms.envs.tutor.i18n"])
def test_tutor_image_build_settings_load(module, tmp_path):
    """`docker build` imports these to compile translations: common settings only."""
    facts = _load(module, tmp_path)
    assert facts["installed"]
    assert facts["derived_left"] == []
    assert all(isinstance(path, str) for path in facts["locale_paths"])


def test_plugin_strings_are_translated_without_a_locale_path(settings):
    from django.utils import translation  # noqa: PLC0415

    assert not any("elearn_plugin" in str(path) for path in settings.LOCALE_PATHS)
    with translation.override("zh-cn"):
        assert translation.gettext("E-learning policy") != "E-learning policy"
