"""Stand-in of openedx-platform `xmodule/edxnotes_utils.py`: the conditional Notes decorator.

Written from the platform's behaviour, no platform code copied: at the moment a block class
is decorated, it is given the LMS's Notes decorator (`lms.djangoapps.edxnotes.decorators`)
when that app is already imported (the LMS lists it in `INSTALLED_APPS`), and is returned
as it is otherwise (Studio, workers without it).
"""

import sys


def edxnotes(cls):
    if "lms.djangoapps.edxnotes" in sys.modules:
        from lms.djangoapps.edxnotes.decorators import edxnotes as notes  # noqa: PLC0415

        return notes(cls)
    return cls
