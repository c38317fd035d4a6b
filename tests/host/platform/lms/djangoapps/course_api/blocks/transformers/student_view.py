"""Stand-in of openedx-platform `lms/djangoapps/course_api/blocks/transformers/student_view.py`.

What the Blocks API (and so the mobile apps) learns about a block at *collect* time, from the
modulestore's block, which is bound to no user: whether `student_view` works on every device
(asked with the plain function taken from the class) and `student_view_data()`, called with no
arguments. Exceptions are not caught; the result is cached, so it must be JSON-serialisable.
"""

STUDENT_VIEW_DATA = "student_view_data"
STUDENT_VIEW_MULTI_DEVICE = "student_view_multi_device"


def collect_fields(block) -> dict:
    """The two transformer fields the platform stores for `block`."""
    student_view = getattr(block.__class__, "student_view", None)
    fields = {STUDENT_VIEW_MULTI_DEVICE: block.has_support(student_view, "multi_device")}
    if getattr(block, "student_view_data", None):
        fields[STUDENT_VIEW_DATA] = block.student_view_data()
    return fields
