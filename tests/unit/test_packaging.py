"""The built wheel carries what the platform needs: data files, migrations and entry points."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (path,) = out.glob("elearn_plugin-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_data_files_migrations_and_entry_points(wheel):
    names = set(wheel.namelist())
    for required in (
        "elearn_plugin/policy/default.yaml",
        "elearn_plugin/migrations/0001_initial.py",
        "elearn_plugin/locale/zh_CN/LC_MESSAGES/django.mo",
        "elearn_plugin/templates/elearn_plugin/base.html",
        "elearn_plugin/xblocks/tracked_video/static/js/player.js",
    ):
        assert required in names, required
    assert not any(name.startswith(("tests/", "conf/")) for name in names)

    # One test, one build: two builds of the same tree at once would share its build/ folder.
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[lms.djangoapp]" in text and "[cms.djangoapp]" in text
    assert "elearn_plugin = elearn_plugin.apps:ElearnPluginConfig" in text
    assert "[xblock.v1]" in text and "elearn_video = " in text


def test_every_package_but_host_and_the_xblocks_is_kept_from_the_platform():
    # The import contract lists its source modules by name: a new domain must join it.
    import pkgutil
    import tomllib
    from pathlib import Path

    import elearn_plugin

    root = Path(elearn_plugin.__file__).parent
    config = tomllib.loads((root.parent / "pyproject.toml").read_text())
    (contract,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"].startswith("Only host/ and the XBlocks")
    ]
    packages = {
        f"elearn_plugin.{info.name}"
        for info in pkgutil.iter_modules([str(root)])
        if info.name not in {"host", "xblocks", "migrations", "locale", "templates", "static"}
    }
    assert packages - set(contract["source_modules"]) == set()
