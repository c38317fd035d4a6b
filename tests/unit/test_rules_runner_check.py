"""`ELEARN_RULES_RUNNER` must name a way to run the month close: else system-check elearn.E003."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from elearn_plugin.checks import check_rules_runner
from elearn_plugin.conf import setting


def test_the_default_is_inline_and_passes(settings):
    del settings.ELEARN_RULES_RUNNER
    assert setting("ELEARN_RULES_RUNNER") == "inline"
    assert check_rules_runner() == []


@pytest.mark.parametrize("runner", ["inline", "celery"])
def test_the_known_runners_pass(runner):
    with override_settings(ELEARN_RULES_RUNNER=runner):
        assert check_rules_runner() == []
        call_command("check")


@pytest.mark.parametrize("runner", ["Celery", "", "threads", None, ["celery"]])
def test_any_other_value_is_an_error(runner):
    with override_settings(ELEARN_RULES_RUNNER=runner):
        errors = check_rules_runner()
        with pytest.raises(SystemCheckError) as info:
            call_command("check")
    assert [e.id for e in errors] == ["elearn.E003"]
    assert "ELEARN_RULES_RUNNER" in errors[0].msg and repr(runner) in errors[0].msg
    assert '"inline", "celery"' in errors[0].msg
    assert "elearn.E003" in str(info.value)
