"""Fixtures of the integrity suite: the month-close suite's courses, units and learners."""

import pytest

from elearn_plugin.host.catalogue import FakeCatalogueAdapter
from tests.unit.month_close.conftest import courses, people, units  # noqa: F401


@pytest.fixture(autouse=True)
def empty_catalogue():
    FakeCatalogueAdapter.clear()
    yield
    FakeCatalogueAdapter.clear()
