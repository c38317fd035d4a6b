"""Each test starts and ends with an empty policy cache."""

import pytest

from elearn_plugin.policy.runtime import reset_policy_cache


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    reset_policy_cache()
    yield
    reset_policy_cache()
