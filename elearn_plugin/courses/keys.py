"""Course keys: one accepted spelling, checked with the host's own key library."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from opaque_keys.edx.locator import CourseLocator, LibraryLocator

COURSE_KEY_MAX_LENGTH = 255
# Credits are keyed "completion:<course key>" in the ledger, whose keys hold 200 characters.
ACCEPTED_KEY_LENGTH = 180


def parse_course_key(value: object) -> str:
    """The canonical form of a `course-v1:Org+Course+Run` key; anything else is refused.

    Old slash-separated keys and library keys are refused so that every record of a course
    carries the same string the LMS shows in its URLs.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("A course key is required."), code="required")
    text = value.strip()
    try:
        key = CourseKey.from_string(text)
    except InvalidKeyError:
        raise ValidationError(
            _('"%(value)s" is not a course key of the form course-v1:Org+Course+Run.'),
            code="invalid",
            params={"value": text[:80]},
        )
    if not isinstance(key, CourseLocator) or isinstance(key, LibraryLocator) or key.deprecated:
        raise ValidationError(
            _('"%(value)s" is not a course key of the form course-v1:Org+Course+Run.'),
            code="invalid",
            params={"value": text[:80]},
        )
    canonical = str(key)
    if len(canonical) > ACCEPTED_KEY_LENGTH:
        raise ValidationError(_("The course key is too long."), code="max_length")
    return canonical


def validate_course_key(value: str) -> None:
    """Model field validator."""
    parse_course_key(value)
