"""Stand-in of openedx-platform `common/djangoapps/student/models/course_enrollment.py`.

Only the shape the plugin and edx-completion use: `CourseEnrollment` rows (user, course,
mode, active) in the app labelled `student`.
"""

from django.conf import settings
from django.db import models


class CourseEnrollment(models.Model):
    """One learner's enrolment in one course (the platform keys the course by `course_id`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = models.CharField(max_length=255, db_index=True)
    created = models.DateTimeField(auto_now_add=True, null=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default="audit", max_length=100)

    class Meta:
        app_label = "student"
        unique_together = (("user", "course_id"),)

    def __str__(self) -> str:
        return f"{self.course_id} ({self.mode})"
