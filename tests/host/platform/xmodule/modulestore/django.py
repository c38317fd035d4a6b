"""Stand-in of openedx-platform `xmodule/modulestore/django.py`: its signals and `modulestore()`.

Written from the platform's behaviour, no platform code copied. What a plugin meets:
- `SignalHandler` holds the modulestore's Django signals as class attributes (the platform's
  are `SwitchedSignal`, a `django.dispatch.Signal` subclass that tests can switch off); the
  module also exports each under its upper-case name (`COURSE_PUBLISHED`), which is the
  dotted path a plugin's `signals_config` can import. The stores send `course_published`
  once per bulk operation with `send_robust(sender=<store class>, course_key=<key without
  branch>)`, for courses and v1 content libraries alike (`xmodule/modulestore/mixed.py`,
  `split_mongo/split.py`).
- `modulestore()` returns the process's one store. Here it is an in-memory store that tests
  fill with `add_item`; `get_items(course_key, qualifiers=..., revision=...,
  include_orphans=...)` answers like the platform's: items with `.location` (a usage key
  without branch or version) and their fields as attributes; `make_course_usage_key(key)`
  names the course's root block, where the course blocks API starts.
"""

from __future__ import annotations

from types import SimpleNamespace

import django.dispatch
from opaque_keys.edx.keys import UsageKey

from xmodule.modulestore import ModuleStoreEnum


class SignalHandler:
    """The modulestore's signals, shared class attributes as on the platform."""

    pre_publish = django.dispatch.Signal()
    course_published = django.dispatch.Signal()
    course_deleted = django.dispatch.Signal()
    library_updated = django.dispatch.Signal()
    item_deleted = django.dispatch.Signal()

    def __init__(self, modulestore_class):
        self.modulestore_class = modulestore_class

    @classmethod
    def all_signals(cls) -> dict:
        return {
            "pre_publish": cls.pre_publish,
            "course_published": cls.course_published,
            "course_deleted": cls.course_deleted,
            "library_updated": cls.library_updated,
            "item_deleted": cls.item_deleted,
        }

    def send(self, signal_name: str, **kwargs):
        """As the stores send: robustly, with the store's class as sender."""
        return self.all_signals()[signal_name].send_robust(sender=self.modulestore_class, **kwargs)


PRE_PUBLISH = SignalHandler.pre_publish
COURSE_PUBLISHED = SignalHandler.course_published
COURSE_DELETED = SignalHandler.course_deleted
LIBRARY_UPDATED = SignalHandler.library_updated
ITEM_DELETED = SignalHandler.item_deleted


class InMemoryModuleStore:
    """Published and draft items of courses, filled by tests; `get_items` as the platform's."""

    def __init__(self) -> None:
        self._items: list[SimpleNamespace] = []
        self.calls: list[dict] = []
        self.signal_handler = SignalHandler(type(self))

    def add_item(self, usage_key, *, published: bool = True, orphan: bool = False, **fields):
        """Store a block; `fields` become attributes (e.g. duration=120.0). Returns the item."""
        location = UsageKey.from_string(str(usage_key))
        item = SimpleNamespace(location=location, category=location.block_type, **fields)
        self._items = [
            kept
            for kept in self._items
            if not (kept.location == location and kept._published == published)
        ]
        item._published = published
        item._orphan = orphan
        self._items.append(item)
        return item

    def clear(self) -> None:
        self._items.clear()
        self.calls.clear()

    def make_course_usage_key(self, course_key):
        """The usage key of the course's root block (split courses: `course`/`course`)."""
        return course_key.make_usage_key("course", "course")

    def get_items(
        self, course_key, settings=None, content=None, qualifiers=None, revision=None, **kwargs
    ):
        include_orphans = kwargs.get("include_orphans", True)
        self.calls.append(
            {
                "course_key": course_key,
                "qualifiers": dict(qualifiers or {}),
                "revision": revision,
                "include_orphans": include_orphans,
            }
        )
        wanted = dict(qualifiers or {})
        category = wanted.pop("category", None)
        if revision in (None, ModuleStoreEnum.RevisionOption.published_only):
            branch_items = [item for item in self._items if item._published]
        elif revision == ModuleStoreEnum.RevisionOption.draft_only:
            branch_items = [item for item in self._items if not item._published]
        else:
            branch_items = list(self._items)
        plain_course = course_key.for_branch(None) if hasattr(course_key, "for_branch") else None
        found = []
        for item in branch_items:
            if item.location.course_key != plain_course:
                continue
            if category is not None and item.category != category:
                continue
            if not include_orphans and item._orphan:
                continue
            if any(getattr(item, name, None) != value for name, value in wanted.items()):
                continue
            found.append(item)
        return found


_STORE: InMemoryModuleStore | None = None


def modulestore() -> InMemoryModuleStore:
    """The process's one store."""
    global _STORE
    if _STORE is None:
        _STORE = InMemoryModuleStore()
    return _STORE


def clear_existing_modulestores() -> None:
    """Forget the store (the platform's helper of the same name, for tests)."""
    global _STORE
    _STORE = None
