"""Stand-in of openedx-platform `lms/djangoapps/course_api/blocks/api.py`.

Only edx-completion's views module imports it (at import time); neither the plugin nor the
harness calls it. What a learner sees is read through the course blocks API instead
(`lms/djangoapps/course_blocks/api.py`, stand-in beside it, used by `host/visibility.py`), so
a call here means a new contact that needs its own stand-in: it fails loudly.
"""


def get_blocks(*args, **kwargs):
    """The platform's Blocks API; not available in the harness."""
    raise NotImplementedError("the harness has no course blocks API")
