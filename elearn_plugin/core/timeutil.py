"""Checks on times given to the services: stored values are UTC, so a time must carry a zone."""

from datetime import datetime


def is_aware(value: object) -> bool:
    """True for a datetime with a UTC offset; a naive one would be read in a guessed zone."""
    return isinstance(value, datetime) and value.utcoffset() is not None
