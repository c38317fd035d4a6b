"""Under ELEARN_REQUIRE_SERVICES=1 (CI) nothing in the integration suite may skip (P-33)."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.integration import conftest as integration

INTEGRATION = Path(integration.__file__).parent


def _report_after_hook(required: bool, monkeypatch) -> SimpleNamespace:
    monkeypatch.setenv("ELEARN_REQUIRE_SERVICES", "1" if required else "0")
    report = SimpleNamespace(skipped=True, outcome="skipped", longrepr=("f.py", 3, "Skipped: x"))
    hook = integration.pytest_runtest_makereport(None, None)
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(SimpleNamespace(get_result=lambda: report))
    return report


# P-33: a skip, from wherever it comes, is a failure when services are required
def test_a_skip_is_reported_as_a_failure_when_services_are_required(monkeypatch):
    report = _report_after_hook(True, monkeypatch)
    assert report.outcome == "failed"
    assert "ELEARN_REQUIRE_SERVICES=1" in report.longrepr and "x" in report.longrepr
    assert _report_after_hook(False, monkeypatch).outcome == "skipped"


# P-33: no integration test skips by itself ("not available yet", missing migrations):
# a missing service goes through `unavailable`, which fails under ELEARN_REQUIRE_SERVICES=1
def test_no_integration_test_skips_by_itself():
    offenders = []
    for path in sorted(INTEGRATION.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("pytest.skip(", "importorskip(", "mark.skip", "not available yet"):
            if word in text and not (path.name == "conftest.py" and word == "pytest.skip("):
                offenders.append(f"{path.name}: {word}")
    assert not offenders, offenders
