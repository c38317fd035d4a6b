"""Fixtures of the security audit: one user per role (P-31)."""

import pytest
from django.core.cache import cache

from tests.helpers.role_matrix import role_users  # noqa: F401


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()
