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
    def __init__(self, location):
        self.location = location


class _Store:
    def __init__(self):
        self.calls = []

    def get_items(self, course_key, qualifiers=None, revision=None, include_orphans=True):
        self.calls.append((course_key, qualifiers, revision, include_orphans))
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
