"""The instructor archive's pages: who may open each (P-31), the instructor's own history
(scope self), and the tables downloaded as CSV and XLSX and read back (P-27, P-30)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from elearn_plugin.staff.exports import BOM
from elearn_plugin.teaching import services
from elearn_plugin.teaching.models import Instructor
from tests.helpers.role_matrix import assert_role_matrix
from tests.unit.teaching.conftest import COURSE, T0, assign, classroom, complete, course

HR_ONLY = {
    "anonymous": 302, "learner": 403, "other_learner": 403, "contact": 403,
    "other_contact": 403, "hr": 200, "reviewer": 403, "publisher": 403, "blocked": 403,
}  # fmt: skip
FORMULA = '=HYPERLINK("http://x.example","open")'


@pytest.fixture
def archive(role_users, make_user):
    """An instructor linked to the matrix's learner, with a talk the learner attended."""
    talk = classroom(FORMULA, [role_users.learner, role_users.other_learner], rating="4.5",
                     title="Security talk")  # fmt: skip
    instructor = Instructor.objects.get()
    services.link_account(instructor.pk, role_users.learner.pk)
    run = course(title="Online ethics")
    services.name_instructor(COURSE, FORMULA)
    assign(role_users.other_learner)
    complete(role_users.other_learner, at=T0 + timedelta(days=4))
    services.rate_session(role_users.other_learner, talk.pk, 4, now=T0 + timedelta(hours=2))
    services.rate_session(role_users.other_learner, run.pk, 5, now=T0 + timedelta(days=5))
    return instructor, talk


def test_instructors_page_matrix(client, archive):  # P-31
    assert_role_matrix(client, "get", reverse("elearn:teaching-instructors"), HR_ONLY)


def test_instructors_export_matrix(client, archive):  # P-31
    url = reverse("elearn:teaching-instructors-export", args=["csv"])
    assert_role_matrix(client, "get", url, HR_ONLY)


def test_courses_page_matrix(client, archive):  # P-31
    assert_role_matrix(client, "get", reverse("elearn:teaching-courses"), HR_ONLY)


def test_courses_export_matrix(client, archive):  # P-31
    url = reverse("elearn:teaching-courses-export", args=["xlsx"])
    assert_role_matrix(client, "get", url, HR_ONLY)


def test_instructor_page_matrix(client, archive):  # P-27, P-31: HR, and the instructor
    instructor, _talk = archive
    url = reverse("elearn:teaching-instructor", args=[instructor.pk])
    assert_role_matrix(client, "get", url, {**HR_ONLY, "learner": 200})
    # An unknown instructor: 404 for HR, refused for a learner (nothing to learn from it).
    unknown = reverse("elearn:teaching-instructor", args=[instructor.pk + 99])
    assert_role_matrix(client, "get", unknown, {**HR_ONLY, "hr": 404})


def test_instructor_export_matrix(client, archive):  # P-31
    instructor, _talk = archive
    url = reverse("elearn:teaching-instructor-export", args=[instructor.pk, "sessions", "csv"])
    assert_role_matrix(client, "get", url, {**HR_ONLY, "learner": 200})


def test_rate_page_matrix(client, archive, role_users):  # P-30, P-31
    _instructor, talk = archive
    url = reverse("elearn:teaching-rate")
    everyone = {role: 200 for role in HR_ONLY} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", url, everyone)
    # Only the attendees may rate the talk: the others are refused by the service.
    attendees = {role: 403 for role in HR_ONLY} | {
        "anonymous": 302, "learner": 200, "other_learner": 200,
    }  # fmt: skip
    assert_role_matrix(client, "post", url, attendees, {"session": talk.pk, "score": "4"})


def test_hr_reads_the_ratings_with_the_imported_one_labelled(client, archive, role_users):
    # P-27, P-30: the instructor's ratings show on HR's page.
    instructor, _talk = archive
    client.force_login(role_users.hr)
    listing = client.get(reverse("elearn:teaching-instructors")).content.decode()
    assert "4.50" in listing and "(imported)" in listing  # learners' 4 and 5; imported 4.5
    page = client.get(reverse("elearn:teaching-instructor", args=[instructor.pk])).content.decode()
    assert "Security talk" in page and "Online ethics" in page
    assert "2026-10" in page
    assert "&lt;" not in FORMULA and "HYPERLINK" in page  # shown as text, escaped


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def test_the_tables_read_back(client, archive, role_users):  # P-27, P-30, P-32
    instructor, _talk = archive
    client.force_login(role_users.hr)
    header, *rows = _csv(client.get(reverse("elearn:teaching-instructors-export", args=["csv"])))
    assert header == [
        "Instructor", "Sessions taught", "Hours taught", "Learners' average rating",
        "Learners' ratings", "Imported rating (from the data file)",
    ]  # fmt: skip
    assert rows == [["'" + FORMULA, "2", "1.5", "4.50", "2", "4.50"]]
    url = reverse("elearn:teaching-instructor-export", args=[instructor.pk, "sessions", "csv"])
    header, *rows = _csv(client.get(url))
    assert [row[2] for row in rows] == ["Online ethics", "Security talk"]
    assert rows[1][4] == "2" and rows[1][6] == "4.00" and rows[1][8] == "4.50"
    url = reverse("elearn:teaching-instructor-export", args=[instructor.pk, "months", "csv"])
    assert _csv(client.get(url))[1:] == [["2026-10", "2", "4.50"]]
    response = client.get(reverse("elearn:teaching-courses-export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book.active.values)
    assert values[0][:5] == ("Course key", "Course", "Learners", "Completed", "Completion rate (%)")
    assert values[1][:5] == (COURSE, "Online ethics", 1, 1, 100)


def test_bad_format_and_table(client, archive, role_users):
    instructor, _talk = archive
    client.force_login(role_users.hr)
    assert client.get(reverse("elearn:teaching-courses-export", args=["pdf"])).status_code == 400
    url = reverse("elearn:teaching-instructor-export", args=[instructor.pk, "nope", "csv"])
    assert client.get(url).status_code == 404
