"""How the LMS's Notes meets the tracked video (P-19): in an LMS that installs Notes, the block
class the `xblock.v1` entry point loads is decorated, and its reading section (handout and
transcript, `get_html`) is the annotatable text; the player stays outside it.

Mirrors openedx-platform `xmodule/edxnotes_utils.py` (the conditional decorator, applied
when the block's module is imported, after the LMS's apps) and
`lms/djangoapps/edxnotes/decorators.py` (stand-ins in tests/host/platform). Each case loads
the LMS in its own process, as the platform does, since the decoration happens once, at
import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.host.path import PLATFORM_ROOT

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r"""
import json
from types import SimpleNamespace

import django
django.setup()
from opaque_keys.edx.locator import BlockUsageLocator, CourseLocator
from xblock.core import XBlock
from xblock.runtime import MemoryIdManager

from tests.unit.video.test_block import _Runtime
from tests.unit.video.test_handout import OLX

COURSE = CourseLocator("Org", "Notes", "2026")


class Ids(MemoryIdManager):
    def create_usage(self, def_id):
        usage = BlockUsageLocator(COURSE, "elearn_video", self._next_id("u"))
        self._usages[usage] = def_id
        return usage


class Store:
    def get_course(self, course_key):
        return SimpleNamespace(id=course_key, edxnotes=True)


class Users:
    def get_user_by_anonymous_id(self, anonymous_id=None):
        return SimpleNamespace(id=7, username="learner")


runtime = _Runtime()
runtime.id_reader = runtime.id_generator = Ids()
runtime.load_block_type = XBlock.load_class  # the entry point, as the LMS's runtime
runtime.modulestore = Store()
runtime._services["user"] = Users()
cls = XBlock.load_class("elearn_video")
block = runtime.get_block(runtime.parse_xml_string(OLX))
html = block.student_view({}).body_html()
start = html.find('class="edx-notes-wrapper-content"')
inside = html[start:] if start >= 0 else ""
print(json.dumps({
    "decorated": cls.get_html.__qualname__ != "HandoutMixin.get_html",
    "wrapped": start >= 0,
    "transcript_inside": "Line two." in inside,
    "handout_inside": "Fire safety handout (PDF)" in inside,
    "player_inside": "<video" in inside,
    "player_shown": "<video" in html,
}))
"""


def _lms(tmp_path: Path, *, notes_app: bool, enabled: bool) -> dict:
    settings = tmp_path / "notes_lms_settings.py"
    settings.write_text(
        "from tests.settings import *  # noqa: F403\n"
        + ('INSTALLED_APPS = [*INSTALLED_APPS, "lms.djangoapps.edxnotes"]\n' if notes_app else "")
        + f"ENABLE_EDXNOTES = {enabled}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ELEARN_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT), PLATFORM_ROOT])
    env["DJANGO_SETTINGS_MODULE"] = "notes_lms_settings"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# P-19: learners annotate the handout and transcript where the site runs Notes
def test_an_lms_with_notes_makes_the_reading_section_annotatable(tmp_path):
    seen = _lms(tmp_path, notes_app=True, enabled=True)
    assert seen["decorated"] and seen["wrapped"]
    assert seen["transcript_inside"] and seen["handout_inside"]
    assert seen["player_shown"] and not seen["player_inside"]


def test_notes_switched_off_leaves_the_block_as_it_is(tmp_path):
    seen = _lms(tmp_path, notes_app=True, enabled=False)
    assert seen["decorated"] and not seen["wrapped"] and seen["player_shown"]


@pytest.mark.parametrize("enabled", [True, False])
def test_an_lms_without_the_notes_app_does_not_decorate(tmp_path, enabled):
    seen = _lms(tmp_path, notes_app=False, enabled=enabled)
    assert not seen["decorated"] and not seen["wrapped"] and seen["player_shown"]
