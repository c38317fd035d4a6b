"""Structure adapter: the modulestore call of the platform form, and the fake registry."""

import sys
import types

import pytest
from django.test import override_settings

from elearn_plugin.host.structure import (
    FakeStructureAdapter,
    PlatformStructureAdapter,
    get_structure_adapter,
)

COURSE = "course-v1:ElearnDemo+SAFE101+2026"


class _Item:
    def __init__(self, location, **fields):
        self.location = location
        self.__dict__.update(fields)


class _Store:
    def __init__(self):
        self.calls = []
        self.items = None

    def get_items(self, course_key, qualifiers=None, revision=None, include_orphans=True):
        self.calls.append((course_key, qualifiers, revision, include_orphans))
        if self.items is not None:
            return self.items
        return [_Item(f"block-v1:ElearnDemo+SAFE101+2026+type@video+block@{n}") for n in "ba"]


@pytest.fixture
def fake_modulestore(monkeypatch):
    """Stand-in for the LMS's xmodule.modulestore with the same call signature."""
    store = _Store()
    xmodule = types.ModuleType("xmodule")
    ms = types.ModuleType("xmodule.modulestore")
    ms.ModuleStoreEnum = types.SimpleNamespace(
        RevisionOption=types.SimpleNamespace(published_only="rev-opt-published-only")
    )
    django_mod = types.ModuleType("xmodule.modulestore.django")
    django_mod.modulestore = lambda: store
    for name, mod in (
        ("xmodule", xmodule),
        ("xmodule.modulestore", ms),
        ("xmodule.modulestore.django", django_mod),
    ):
        monkeypatch.setitem(sys.modules, name, mod)
    return store


def test_platform_adapter_asks_modulestore_for_published_blocks_of_a_category(fake_modulestore):
    # P-17: a course's videos are the published blocks of the video category.
    blocks = PlatformStructureAdapter().blocks_of_type(COURSE, "video")
    assert blocks == [
        "block-v1:ElearnDemo+SAFE101+2026+type@video+block@a",
        "block-v1:ElearnDemo+SAFE101+2026+type@video+block@b",
    ]
    ((key, qualifiers, revision, orphans),) = fake_modulestore.calls
    assert str(key) == COURSE
    assert qualifiers == {"category": "video"}
    assert revision == "rev-opt-published-only"
    assert orphans is False


@pytest.mark.parametrize(("course", "block_type"), [("bad", "video"), (COURSE, ""), (COURSE, 3)])
def test_bad_input_is_refused(fake_modulestore, course, block_type):
    with pytest.raises(ValueError):
        PlatformStructureAdapter().blocks_of_type(course, block_type)
    with pytest.raises(ValueError):
        FakeStructureAdapter().blocks_of_type(course, block_type)
    assert fake_modulestore.calls == []


def test_fake_registry():
    fake = FakeStructureAdapter()
    fake.register(COURSE, "tracked_video", ["b2", "b1"])
    assert fake.blocks_of_type(COURSE, "tracked_video") == ["b1", "b2"]
    assert fake.blocks_of_type(COURSE, "problem") == []
    fake.clear()
    assert fake.blocks_of_type(COURSE, "tracked_video") == []


def test_adapter_choice_follows_setting():
    assert isinstance(get_structure_adapter(), FakeStructureAdapter)
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        assert isinstance(get_structure_adapter(), PlatformStructureAdapter)


# P-17: a course's tracked videos come with the authored fields the server keeps; their keys
# are spelled as the LMS spells them (no branch, no version), missing fields are None.
def test_platform_adapter_reads_tracked_videos_with_their_fields(fake_modulestore):
    from opaque_keys.edx.keys import UsageKey

    plain = "block-v1:ElearnDemo+SAFE101+2026+type@elearn_video+block@intro"
    branched = UsageKey.from_string(plain).for_branch("published-branch")
    fake_modulestore.items = [
        _Item(
            branched,
            display_name="Intro",
            duration=120.0,
            max_playback_rate=1.5,
            credited_seconds=300,
            sources=["/x.mp4"],
        ),
        _Item("block-v1:ElearnDemo+SAFE101+2026+type@elearn_video+block@a", duration=5.0),
    ]
    videos = PlatformStructureAdapter().tracked_videos(COURSE)
    assert videos == [
        {
            "block_key": "block-v1:ElearnDemo+SAFE101+2026+type@elearn_video+block@a",
            "display_name": None,
            "duration": 5.0,
            "max_playback_rate": None,
            "credited_seconds": None,
        },
        {
            "block_key": plain,
            "display_name": "Intro",
            "duration": 120.0,
            "max_playback_rate": 1.5,
            "credited_seconds": 300,
        },
    ]
    ((key, qualifiers, revision, orphans),) = fake_modulestore.calls
    assert str(key) == COURSE
    assert qualifiers == {"category": "elearn_video"}
    assert revision == "rev-opt-published-only"
    assert orphans is False


def test_fake_tracked_videos():
    fake = FakeStructureAdapter()
    block = "block-v1:ElearnDemo+SAFE101+2026+type@elearn_video+block@intro"
    fake.register_tracked_video(COURSE, block, duration=60.0)
    fake.register_tracked_video(COURSE, block, duration=90.0, display_name="Intro")
    assert fake.tracked_videos(COURSE) == [
        {
            "block_key": block,
            "display_name": "Intro",
            "duration": 90.0,
            "max_playback_rate": 1.0,
            "credited_seconds": 0,
        }
    ]
    assert fake.blocks_of_type(COURSE, "elearn_video") == [block]
    assert fake.tracked_videos("course-v1:Other+X+2026") == []
    with pytest.raises(ValueError):
        fake.tracked_videos("bad")
    fake.clear()
    assert fake.tracked_videos(COURSE) == []
