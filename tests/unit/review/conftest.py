import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached blocks are keyed by user id, which the next test's database reuses.
    cache.clear()
    yield
    cache.clear()
