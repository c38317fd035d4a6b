"""Stand-in of openedx-platform `lms/djangoapps/grades/models.py`: `PersistentCourseGrade`.

Written from the platform's behaviour, no platform code copied. What the plugin reads:
- one row per (`course_id`, `user_id`) (unique together), `user_id` a plain integer (no
  foreign key), `course_id` a `CourseKeyField`; `percent_grade`, `letter_grade` ("" when the
  grade does not pass: `CourseGradeFactory._read` takes `letter_grade != ""` as passing),
  `passed_timestamp`, and `created`/`modified` from model-utils' `TimeStampedModel`;
  indexes on (`passed_timestamp`, `course_id`) and (`modified`, `course_id`);
- `update_or_create(user_id, course_id, passed=..., **fields)`: updates or creates the row
  (so `modified` moves), and sets `passed_timestamp` to now the first time `passed` is true;
  a later failing grade keeps it.
The platform persists a course grade only once the learner attempted graded content
(`course_grade_factory.py`), and always since Olive (the persistent-grades flags are gone).
"""

from django.db import models
from django.utils.timezone import now
from model_utils.models import TimeStampedModel
from opaque_keys.edx.django.models import CourseKeyField


class PersistentCourseGrade(TimeStampedModel):
    """A learner's persisted course grade."""

    user_id = models.IntegerField(blank=False, db_index=True)
    course_id = CourseKeyField(blank=False, max_length=255)
    course_edited_timestamp = models.DateTimeField(blank=True, null=True)
    course_version = models.CharField(blank=True, max_length=255)
    grading_policy_hash = models.CharField(blank=False, max_length=255)
    percent_grade = models.FloatField(blank=False)
    letter_grade = models.CharField(blank=False, max_length=255)
    passed_timestamp = models.DateTimeField(blank=True, null=True)

    class Meta:
        app_label = "grades"
        unique_together = [("course_id", "user_id")]
        indexes = [
            models.Index(
                fields=["passed_timestamp", "course_id"], name="passed_timestamp_course_id_idx"
            ),
            models.Index(fields=["modified", "course_id"], name="modified_course_id_idx"),
        ]

    @classmethod
    def update_or_create(cls, user_id, course_id, **kwargs):
        passed = kwargs.pop("passed")
        kwargs.setdefault("course_version", "")
        kwargs.setdefault("grading_policy_hash", "")
        grade, _created = cls.objects.update_or_create(
            user_id=user_id, course_id=course_id, defaults=kwargs
        )
        if passed and not grade.passed_timestamp:
            grade.passed_timestamp = now()
            grade.save()
        return grade
