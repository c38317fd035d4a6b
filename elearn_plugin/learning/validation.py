"""The learning writers' error and the input checks they share: nothing is written when a
check fails."""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.core.timeutil import is_aware


class LearningDataError(ValueError):
    """Bad input to a learning service; nothing was written."""


def aware_datetime(value: object, field: str) -> datetime:
    """`value` itself, when it is a timezone-aware datetime."""
    if not is_aware(value):
        raise LearningDataError(f"{field} must be a timezone-aware datetime")
    return value


def positive_id(value: object, field: str) -> int:
    """`value` itself, when it is a positive int (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise LearningDataError(f"{field} must be a positive integer, got {value!r}")
    return value


def clean_text(value: object, field: str, max_length: int, *, required: bool = True) -> str:
    """`value` stripped, when it is a string of at most `max_length` characters."""
    if not isinstance(value, str):
        raise LearningDataError(f"{field} must be a string")
    value = value.strip()
    if required and not value:
        raise LearningDataError(f"{field} must not be empty")
    if len(value) > max_length:
        raise LearningDataError(f"{field} is longer than {max_length} characters")
    return value
