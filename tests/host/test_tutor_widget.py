"""The "My training" widget in the learner dashboard image, rendered by the real `tutor` and
`tutor-mfe` of both lines (21 and 22), as `tests/host/test_tutor_render.py` renders the rest.

tutor-mfe's `mfe/build/mfe/Dockerfile` builds every MFE from its own `npm clean-install` and
offers `mfe-dockerfile-post-npm-install` after it; its `env.config.jsx` is shared by every
MFE (`mfe-env-config-buildtime-imports` at the top) and adds each PLUGIN_SLOTS entry of an app
inside `if (process.env.APP_ID == '<app>')`. P-16, P-21.
"""

from __future__ import annotations

import gzip
import re

import pytest

from tests.host.test_tutor_render import TUTORS, Project, new_project, stage, tutor_or_skip

SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"
TARBALL = "elearn-plugin-my-training-0.1.0.tgz"
DOCKERFILE = "plugins/mfe/build/mfe/Dockerfile"
IMPORT = "import { MyTrainingSidebar as ElearnMyTraining } from '@elearn-plugin/my-training';"
ENV_CONFIG = "plugins/mfe/build/mfe/env.config.jsx"


@pytest.fixture(scope="module", params=sorted(TUTORS), ids=lambda line: f"tutor{line}")
def line(request) -> str:
    return request.param


def _mfe_project(line_: str, base) -> Project:
    project = new_project(tutor_or_skip(line_), base)
    project.run("plugins", "enable", "mfe")
    return project


@pytest.fixture(scope="module")
def widget(line, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"tutor{line}-widget")
    tarball = base / TARBALL
    tarball.write_bytes(gzip.compress(b"package/package.json {{ not jinja }} \xff"))
    project = _mfe_project(line, base)
    project.save(f"ELEARN_WIDGET_TARBALL={tarball}")
    return project, tarball


def test_every_mfe_image_installs_the_widget_after_its_own_packages(widget):
    project, tarball = widget
    copied = project.env / "plugins/mfe/build/mfe/elearn" / TARBALL
    assert copied.read_bytes() == tarball.read_bytes()  # byte for byte, not rendered
    dockerfile = project.read(DOCKERFILE)
    common = stage(dockerfile, "learner-dashboard-common")
    install = common.index("npm clean-install")
    ours = common.index(f"COPY elearn/{TARBALL} /openedx/elearn-my-training.tgz")
    assert install < ours
    assert "npm install --no-save --no-audit --no-fund /openedx/elearn-my-training.tgz" in common


def test_the_widget_is_registered_in_the_dashboards_sidebar_slot_only(widget):
    project, _tarball = widget
    config = project.read(ENV_CONFIG)
    assert (
        "import { MyTrainingSidebar as ElearnMyTraining } from '@elearn-plugin/my-training';"
        in (config)
    )
    block = re.search(
        r"if \(process\.env\.APP_ID == 'learner-dashboard'\) \{(.*?)\n    \}", config, re.S
    )
    assert block and f"addPlugins(config, '{SLOT}'" in block.group(1)
    assert "RenderWidget: (typeof ElearnMyTraining" in block.group(1)
    assert config.count(SLOT) == 1  # no other MFE gets it


def test_without_the_widget_nothing_is_installed_and_the_entry_renders_nothing(
    line,
    tmp_path_factory,
):
    project = _mfe_project(line, tmp_path_factory.mktemp(f"tutor{line}-nowidget"))
    project.save()
    assert "elearn-my-training" not in project.read(DOCKERFILE)
    config = project.read(ENV_CONFIG)
    assert "@elearn-plugin/my-training" not in config
    assert "typeof ElearnMyTraining === 'undefined' ? () => null" in config


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["ELEARN_WIDGET_TARBALL={base}/other-1.0.tgz"], "no such file"),
        (["ELEARN_WIDGET_TARBALL={plain}"], "not gzip-compressed"),
        (["ELEARN_WIDGET_TARBALL={named}"], "npm pack file"),
        (["ELEARN_WIDGET_TARBALL={good}", "ELEARN_WIDGET_NPM=@x/y@1"], "not both"),
    ],
    ids=["missing", "not-gzip", "wrong-name", "both"],
)
def test_bad_widget_settings_fail_the_save_naming_the_setting(
    line,
    tmp_path_factory,
    settings,
    message,
):
    base = tmp_path_factory.mktemp(f"tutor{line}-badwidget")
    plain = base / TARBALL
    plain.write_bytes(b"not gzip")
    named = base / "my-training.tgz"
    named.write_bytes(gzip.compress(b"x"))
    good = base / "good" / TARBALL
    good.parent.mkdir()
    good.write_bytes(gzip.compress(b"x"))
    files = {"base": base, "plain": plain, "named": named, "good": good}
    project = _mfe_project(line, base)
    done = project.save(*[s.format(**files) for s in settings], check=False)
    assert done.returncode != 0
    setting = settings[0].split("=", 1)[0]
    assert setting in done.stderr and message in done.stderr, done.stderr
