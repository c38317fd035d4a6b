"""Fixtures of the standing suite."""

from tests.helpers.role_matrix import role_users  # noqa: F401
