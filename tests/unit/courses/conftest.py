"""Fixtures of the assignment tests (`assignment_fixtures`), for the modules of this folder."""

from tests.helpers.role_matrix import role_users  # noqa: F401 - fixture
from tests.unit.courses.assignment_fixtures import (  # noqa: F401 - fixtures
    fake_host,
    org,
    people,
    use_policy,
)
