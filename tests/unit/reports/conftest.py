"""The month-close fixtures (required courses, a unit tree, learners in it), reused here."""

from tests.unit.month_close.conftest import courses, people, units  # noqa: F401
