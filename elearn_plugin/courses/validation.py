"""Checks on the courses services' input: a bad value is a `CourseDataError`, nothing written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.courses.keys import parse_course_key


class CourseDataError(ValueError):
    """Bad input to a courses service; nothing was written."""


def _aware(value: object, field: str) -> datetime:
    if not is_aware(value):
        raise CourseDataError(
            _("%(field)s must be a date and time with a time zone.") % {"field": field}
        )
    return value


def _course_key(value: object) -> str:
    try:
        return parse_course_key(value)
    except ValidationError as exc:
        raise CourseDataError(" ".join(exc.messages))


def _choice(value: object, choices, field: str) -> str:
    if value not in choices.values:
        raise CourseDataError(
            _("%(field)s must be one of: %(allowed)s.")
            % {"field": field, "allowed": ", ".join(choices.values)}
        )
    return str(value)


def _credits(value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CourseDataError(_("Credits must be a number."))
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000"):
        raise CourseDataError(_("Credits must be between 0 and 9999.99."))
    return amount.quantize(Decimal("0.01"))


def _check_users(user_ids: Iterable[int]) -> None:
    ids = set(user_ids)
    if any(not isinstance(uid, int) or isinstance(uid, bool) for uid in ids):
        raise CourseDataError(_("A user id must be an integer."))
    missing = missing_user_ids(ids)
    if missing:
        raise CourseDataError(
            _("Unknown user ids: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)[:10]))}
        )
