"""The training contact's unit page: each learner's month, who is behind, reminders, slots by
name, transfers, exports (P-1, P-6, P-18, P-28, P-31, P-32)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.rules.periods import month_of
from elearn_plugin.staff.services import RemindError, remind
from elearn_plugin.staff.unit_rows import QUERIES_PER_CHUNK, Scope, iter_rows
from tests.unit.staff.conftest import NOW, POLICY


def _rows(units, **kwargs):
    return {
        row["name"]: row
        for row in iter_rows(
            Scope(frozenset(units)), POLICY, month_of(NOW, POLICY.tz), NOW, **kwargs
        )
    }


def test_each_learner_has_the_month_as_the_contact_needs_it(staff_org):  # P-28
    rows = _rows([staff_org.sales.pk])
    assert set(rows) == {
        "Contact Chen", "Behind Bai", "Pace Pan", "Done Deng", "Susp Sun", "New Niu"
    }  # fmt: skip
    behind, pace, done = rows["Behind Bai"], rows["Pace Pan"], rows["Done Deng"]
    assert (behind["required_completed"], behind["overdue_tasks"], behind["pace"]) == (
        0,
        1,
        "behind",
    )
    assert (pace["required_completed"], pace["open_tasks"], pace["pace"]) == (1, 1, "on_pace")
    assert (done["required_completed"], done["pace"], str(done["hours"])) == (2, "at_quota", "1.50")
    assert done["last_activity_at"] is not None
    assert rows["Susp Sun"]["standing"] == "suspension" and rows["Susp Sun"]["pace"] == "blocked"
    # Two thirds of the month gone and nothing done: behind even without a task.
    assert rows["Contact Chen"]["pace"] == "behind"


def test_a_transferred_learner_shows_where_they_came_from(staff_org):  # P-6
    newcomer = _rows([staff_org.sales.pk])["New Niu"]
    assert newcomer["transferred_from"] == "support"
    assert newcomer["required_completed"] == 1  # the history came along
    assert _rows([staff_org.sales.pk])["Pace Pan"]["transferred_from"] == ""


def test_rows_cost_a_fixed_number_of_queries_per_chunk(staff_org, make_user):
    for n in range(30):
        user = make_user()
        Person.objects.create(
            user=user, employee_id=f"X{n:03d}", name=f"X {n}", unit=staff_org.sales
        )
        Membership.objects.create(user=user, unit=staff_org.sales, valid_from=NOW)
    MonthClose.objects.create(
        period="2026-10", status=CloseStatus.CLOSED, policy_hash="h", decided_at=NOW
    )
    month = month_of(NOW, POLICY.tz)
    scope = Scope(frozenset([staff_org.sales.pk]))
    with CaptureQueriesContext(connection) as big:
        rows = list(iter_rows(scope, POLICY, month, NOW))
    assert len(rows) == 36
    # One query for the units and one for the last closed month, then each chunk's own.
    assert len(big) == 2 + QUERIES_PER_CHUNK
    with CaptureQueriesContext(connection) as chunked:
        again = list(iter_rows(scope, POLICY, month, NOW, chunk=10))
    assert [r["employee_id"] for r in again] == [r["employee_id"] for r in rows]
    assert len(chunked) == 2 + 4 * QUERIES_PER_CHUNK


def test_the_page_shows_those_behind_and_never_another_unit(client, staff_org):  # P-28, P-31
    client.force_login(staff_org.contact)
    with freeze_time(NOW):
        page = client.get(reverse("elearn:staff-unit", args=["sales"]))
        behind = client.get(reverse("elearn:staff-unit", args=["sales"]), {"show": "behind"})
        other = client.get(reverse("elearn:staff-unit", args=["support"]))
        parent = client.get(reverse("elearn:staff-unit", args=["hq"]))
        unknown = client.get(reverse("elearn:staff-unit", args=["nowhere"]))
    text = page.content.decode()
    assert page.status_code == 200 and "Behind Bai" in text and "New Niu" in text
    assert "Else Ebo" not in text
    shown = behind.content.decode()
    assert '<td class="who">Behind Bai ' in shown
    assert '<td class="who">Done Deng ' not in shown
    assert (other.status_code, parent.status_code, unknown.status_code) == (403, 403, 403)


def test_hr_reaches_every_unit_and_an_unknown_one_is_404(client, staff_org):  # P-31
    client.force_login(staff_org.hr)
    with freeze_time(NOW):
        hq = client.get(reverse("elearn:staff-unit", args=["hq"]))
        unknown = client.get(reverse("elearn:staff-unit", args=["nowhere"]))
    assert hq.status_code == 200 and "Else Ebo" in hq.content.decode()
    assert unknown.status_code == 404


def test_the_units_list_sends_a_contact_of_one_unit_to_it(client, staff_org):
    client.force_login(staff_org.contact)
    response = client.get(reverse("elearn:staff-units"))
    assert response.status_code == 302 and response["Location"].endswith("/units/sales/")
    client.force_login(staff_org.hr)
    assert "Support" in client.get(reverse("elearn:staff-units")).content.decode()


def test_a_reminder_goes_once_a_day_to_those_behind_with_the_trail(staff_org):  # P-28
    ids = [staff_org.behind.pk, staff_org.done.pk]
    with freeze_time(NOW):
        assert remind(staff_org.contact, ids) == 1
        assert remind(staff_org.contact, ids) == 0  # the same day: nothing new
    message = OutboxMessage.objects.get(message_type="progress_reminder")
    assert message.user_id == staff_org.behind.pk
    assert message.context == {"period": "2026-11", "completed": 0, "required": 2, "overdue": 1}
    events = AuditEvent.objects.filter(verb="learner.reminded")
    assert [(e.actor_user_id, e.target.split(":")[1]) for e in events] == [
        (staff_org.contact.pk, str(staff_org.behind.pk))
    ]


def test_a_reminder_outside_the_contacts_units_sends_nothing(staff_org):  # P-31
    with freeze_time(NOW), pytest.raises(RemindError) as refused:
        remind(staff_org.contact, [staff_org.behind.pk, staff_org.elsewhere.pk])
    assert refused.value.code == "out_of_scope"
    assert not OutboxMessage.objects.exists()
    with pytest.raises(RemindError):
        remind(staff_org.behind, [staff_org.behind.pk])


def test_remind_from_the_page(client, staff_org):
    client.force_login(staff_org.contact)
    url = reverse("elearn:staff-unit-remind", args=["sales"])
    with freeze_time(NOW):
        response = client.post(url, {"all_behind": "1"})
        bad = client.post(url, {"user_id": [str(staff_org.elsewhere.pk)]})
        empty = client.post(url, {"user_id": ["x"]})
    assert response.status_code == 302 and "reminded=2" in response["Location"]
    assert "remind_error=out_of_scope" in bad["Location"]
    assert "remind_error=nobody" in empty["Location"]
    assert set(OutboxMessage.objects.values_list("user_id", flat=True)) == {
        staff_org.behind.pk, staff_org.contact.pk
    }  # fmt: skip


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_streams_the_rows_with_the_report_rules(client, staff_org):  # P-32
    Person.objects.filter(user=staff_org.behind).update(name="=HYPERLINK(1)")
    client.force_login(staff_org.contact)
    with freeze_time(NOW):
        as_csv = client.get(reverse("elearn:staff-unit-export", args=["sales", "csv"]))
        as_xlsx = client.get(reverse("elearn:staff-unit-export", args=["sales", "xlsx"]))
        bad = client.get(reverse("elearn:staff-unit-export", args=["sales", "pdf"]))
        other = client.get(reverse("elearn:staff-unit-export", args=["support", "csv"]))
    rows = _csv(as_csv)
    assert rows[0][:2] == ["Employee ID", "Name"] and len(rows) == 7
    assert "'=HYPERLINK(1)" in [row[1] for row in rows]
    sheet = load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=HYPERLINK(1)" in names and sheet.cell(2, 1).data_type == "s"
    assert (bad.status_code, other.status_code) == (400, 403)


def test_the_slot_form_offers_the_contacts_learners_by_name(client, staff_org):  # P-18
    client.force_login(staff_org.contact)
    page = client.get(reverse("elearn:learning-grant-slot-page")).content.decode()
    assert "Behind Bai (E" in page and "Else Ebo" not in page
    found = client.get(reverse("elearn:staff-learner-choices"), {"q": "e"}).json()["results"]
    labels = [item["label"] for item in found]
    assert any(label.startswith("Behind Bai") for label in labels)
    assert not any(label.startswith("Else Ebo") for label in labels)
    client.force_login(staff_org.hr)
    hr_page = client.get(reverse("elearn:learning-grant-slot-page"), {"q": "Else"}).content.decode()
    assert "Else Ebo" in hr_page
