"""The host's course list as the integrity check reads it: the platform's `CourseOverview`,
asked once per thousand keys, with what is not a course key left out (P-33)."""

import sys
import types

from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.catalogue import PlatformCatalogueAdapter

MODULE = "openedx.core.djangoapps.content.course_overviews.models"


class _Rows:
    def __init__(self, known, calls):
        self.known, self.calls = known, calls

    def filter(self, id__in):
        self.calls.append(len(id__in))
        self.found = [key for key in id__in if str(key) in self.known]
        return self

    def values_list(self, name, flat):
        assert (name, flat) == ("id", True)
        return [CourseKey.from_string(str(key)) for key in self.found]


def test_the_platform_adapter_reads_course_overviews(monkeypatch):
    known = {f"course-v1:Org+C{n}+2026" for n in range(1500)}
    calls: list[int] = []
    model = types.SimpleNamespace(objects=_Rows(known, calls))
    module = types.ModuleType(MODULE)
    module.CourseOverview = model
    for name in (
        "openedx",
        "openedx.core",
        "openedx.core.djangoapps",
        "openedx.core.djangoapps.content",
        "openedx.core.djangoapps.content.course_overviews",
    ):
        monkeypatch.setitem(sys.modules, name, sys.modules.get(name) or types.ModuleType(name))
    monkeypatch.setitem(sys.modules, MODULE, module)
    asked = [*sorted(known)[:1200], "course-v1:Org+Missing+2026", "not a key"]
    found = PlatformCatalogueAdapter().existing(asked)
    assert found == set(sorted(known)[:1200])
    assert calls == [1000, 201]
