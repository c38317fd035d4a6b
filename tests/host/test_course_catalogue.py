"""How the restore check meets the LMS's course list (P-33): `host.catalogue` reads the
platform's `CourseOverview` rows, in the LMS's own table, as `elearn_check_integrity` does with
`ELEARN_HOST_ADAPTERS = "platform"`.

Mirrors openedx-platform `openedx/core/djangoapps/content/course_overviews/models.py`
(stand-in in tests/host/platform: `id` a `CourseKeyField` primary key, app `course_overviews`
in the LMS's `INSTALLED_APPS`).
"""

from datetime import UTC, datetime

from django.test import override_settings
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

from elearn_plugin.courses.models import Assignment
from elearn_plugin.host.catalogue import PlatformCatalogueAdapter, get_catalogue_adapter
from elearn_plugin.integrity.references import check_references
from elearn_plugin.integrity.report import Report

PUBLISHED = "course-v1:Org+HOST1+2026"
UNKNOWN = "course-v1:Org+GONE1+2026"


def _publish(*keys: str) -> None:
    CourseOverview.objects.bulk_create(
        CourseOverview(id=CourseKey.from_string(key), display_name=key) for key in keys
    )


def test_the_adapter_reads_the_lms_course_overviews(db):
    _publish(PUBLISHED, *(f"course-v1:Org+M{n}+2026" for n in range(1100)))
    asked = [
        PUBLISHED,
        UNKNOWN,
        "not a course key",
        *(f"course-v1:Org+M{n}+2026" for n in range(1100)),
    ]
    found = PlatformCatalogueAdapter().existing(asked)
    assert PUBLISHED in found and UNKNOWN not in found
    assert len(found) == 1101
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        assert isinstance(get_catalogue_adapter(), PlatformCatalogueAdapter)


def test_the_restore_check_knows_a_course_the_lms_has_before_its_policy(db, make_user):  # P-33
    user = make_user()
    due = datetime(2026, 3, 1, tzinfo=UTC)
    for key in (PUBLISHED, UNKNOWN):
        Assignment.objects.create(user=user, course_key=key, due_at=due, source="hr")
    _publish(PUBLISHED)
    report = Report()
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        check_references(report)
    unknown = [p for p in report.problems if p.check == "unknown_course"]
    assert [(p.table, p.count) for p in unknown] == [("elearn_plugin_assignment.course_key", 1)]
