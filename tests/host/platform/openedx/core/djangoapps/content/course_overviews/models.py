"""Stand-in of openedx-platform `openedx/core/djangoapps/content/course_overviews/models.py`:
`CourseOverview`, the LMS's cached row of every course it has.

Written from the platform's behaviour, no platform code copied. What the plugin reads: the
primary key `id`, a `CourseKeyField` (`db_index`, `max_length=255`), holding the course's key;
a row exists for every course the modulestore published (the platform writes it on
`course_published` and on first read). The platform's other columns (dates, display and
enrolment details) are left out; `version` and `display_name` stand for them.
"""

from django.db import models
from model_utils.models import TimeStampedModel
from opaque_keys.edx.django.models import CourseKeyField


class CourseOverview(TimeStampedModel):
    """A course the LMS knows.

    .. no_pii:
    """

    version = models.IntegerField(default=19)
    id = CourseKeyField(db_index=True, primary_key=True, max_length=255)
    display_name = models.TextField(null=True)

    class Meta:
        app_label = "course_overviews"
