"""Date-times in the admin are the policy's (Asia/Shanghai in the tests' policy; the site's
zone is UTC): a due date stored as 2026-10-31T15:59Z is shown, and entered, as 23:59 on the
31st, never as the next day's midnight (P-14, P-22)."""

from datetime import UTC, datetime

from django.utils import timezone

from elearn_plugin.admin_base import local_time
from elearn_plugin.courses.models import Assignment
from elearn_plugin.standing.models import Sanction

DUE = datetime(2026, 10, 31, 15, 59, tzinfo=UTC)
SHOWN = "2026-10-31 23:59 (Asia/Shanghai)"


def test_the_format():
    assert local_time(DUE) == SHOWN
    assert local_time(None) == "-"


def test_a_due_date_in_the_list_is_the_policys_day(superuser_client, add_people):
    (learner,) = add_people(1)
    Assignment.objects.create(
        user=learner, course_key="course-v1:Org+Safety+2026", due_at=DUE, source="hr"
    )
    text = superuser_client.get("/admin/elearn_plugin/assignment/").content.decode()
    assert f'<td class="field-due_at">{SHOWN}</td>' in text
    assert "2026-11-01" not in text and "Nov. 1, 2026" not in text


def test_read_only_times_of_a_change_page_are_the_policys(hr_client, add_people):
    (learner,) = add_people(1)
    sanction = Sanction.objects.create(
        user=learner, kind="warning", reason_code="missed_tasks", source="t:1", starts_at=DUE
    )
    text = hr_client.get(f"/admin/elearn_plugin/sanction/{sanction.pk}/change/").content.decode()
    assert f'<div class="readonly">{SHOWN}</div>' in text


def test_a_time_entered_in_a_form_is_read_in_the_policys_zone(hr_client, add_people):
    (learner,) = add_people(1)
    hr_client.post(
        "/admin/elearn_plugin/sanction/add/",
        {"user": learner.pk, "kind": "warning", "reason_code": "missed_tasks",
         "source": "hr:manual-2", "starts_at_0": "2026-10-31", "starts_at_1": "23:59:00"},
    )  # fmt: skip
    assert Sanction.objects.get().starts_at == DUE


def test_the_site_zone_is_left_as_it_was(hr_client):
    hr_client.get("/admin/elearn_plugin/sanction/")
    assert str(timezone.get_current_timezone()) == "UTC"
