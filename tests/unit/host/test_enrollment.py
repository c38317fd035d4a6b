"""Enrolment adapters: the fake, the adapter choice, and input refused before any lookup.

The Open edX adapter against the stand-in platform is tested in
`tests/host/test_enrollment_in_process.py`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from elearn_plugin.host.enrollment import (
    EnrollmentError,
    EnrollResult,
    FakeEnrollmentAdapter,
    PlatformEnrollmentAdapter,
    get_enrollment_adapter,
)

COURSE = "course-v1:ElearnDemo+SAFE101+2026"
ROOT = Path(__file__).resolve().parents[3]


def test_fake_adapter_records_calls_and_repeats():
    fake = FakeEnrollmentAdapter()
    assert fake.bulk_enroll(COURSE, ["a", "b"]).enrolled == ["a", "b"]
    second = fake.bulk_enroll(COURSE, ["b", "c"])
    assert second.already == ["b"] and second.enrolled == ["c"]
    assert fake.calls == [(COURSE, ("a", "b")), (COURSE, ("b", "c"))]
    fake.clear()
    assert fake.calls == [] and fake.bulk_enroll(COURSE, ["a"]).enrolled == ["a"]


def test_fake_adapter_strips_and_removes_repeats():
    fake = FakeEnrollmentAdapter()
    result = fake.bulk_enroll(COURSE, ["a", " a", "b ", "b"])
    assert result.enrolled == ["a", "b"]
    assert fake.calls == [(COURSE, ("a", "b"))]


def test_fake_adapter_keeps_courses_apart():
    fake = FakeEnrollmentAdapter()
    fake.bulk_enroll(COURSE, ["a"])
    other = fake.bulk_enroll("course-v1:ElearnDemo+FIRE201+2026", ["a"])
    assert other.enrolled == ["a"] and other.already == []


def test_adapter_choice_follows_setting():
    with override_settings(ELEARN_HOST_ADAPTERS="fake"):
        assert isinstance(get_enrollment_adapter(), FakeEnrollmentAdapter)
        assert get_enrollment_adapter() is get_enrollment_adapter()  # one shared fake
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        assert isinstance(get_enrollment_adapter(), PlatformEnrollmentAdapter)


def test_unknown_adapter_kind_is_refused():
    with override_settings(ELEARN_HOST_ADAPTERS="rest"), pytest.raises(ImproperlyConfigured):
        get_enrollment_adapter()


@pytest.mark.parametrize(
    ("course", "names"),
    [
        ("nope", ["learner01"]),
        ("", ["learner01"]),
        (COURSE, "learner01"),
        (COURSE, "learner01,learner02"),
        (COURSE, ["a,b"]),
        (COURSE, [""]),
        (COURSE, ["   "]),
        (COURSE, ["learner01", 3]),
        (COURSE, [None]),
    ],
)
def test_bad_input_is_refused_before_any_lookup(course, names, monkeypatch):
    looked_up = []
    monkeypatch.setattr(
        PlatformEnrollmentAdapter,
        "_enroll_chunk",
        staticmethod(lambda *args: looked_up.append(args)),
    )
    with pytest.raises(ValueError):
        PlatformEnrollmentAdapter().bulk_enroll(course, names)
    fake = FakeEnrollmentAdapter()
    with pytest.raises(ValueError):
        fake.bulk_enroll(course, names)
    assert looked_up == []
    assert fake.calls == [] and fake.enrolments == set()


def test_result_merge_and_ok():
    total = EnrollResult(enrolled=["a"])
    assert total.ok
    total.merge(EnrollResult(already=["b"], invalid=["c"]))
    total.merge(EnrollResult(failed=["d"]))
    assert (total.enrolled, total.already, total.invalid, total.failed) == (
        ["a"],
        ["b"],
        ["c"],
        ["d"],
    )
    assert not total.ok
    assert not EnrollResult(failed=["d"]).ok
    assert EnrollResult(already=["b"]).ok


def test_enrollment_error_carries_the_partial_result():
    partial = EnrollResult(enrolled=["a"])
    assert EnrollmentError("refused", partial).partial is partial
    assert EnrollmentError("refused").partial == EnrollResult()


def test_the_plugin_imports_without_the_platform():
    # A fresh interpreter without the stand-in platform on sys.path and without settings:
    # the module imports, and pulls in neither the platform nor a REST client.
    code = (
        "import sys, elearn_plugin.host.enrollment as m; "
        "assert m.PlatformEnrollmentAdapter; "
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('common', 'requests')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
