"""Stand-in of openedx-platform `lms/djangoapps/course_api/blocks/api.py` (imported by
edx-completion's views); the harness has no block structures to answer from."""


def get_blocks(*args, **kwargs):
    """The platform's Blocks API; not available in the harness."""
    raise NotImplementedError("the harness has no course blocks API")
