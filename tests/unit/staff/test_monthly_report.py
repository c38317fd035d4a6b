"""The monthly unit report (P-28): after a month closes every training contact is mailed
their units' progress once, with a role-checked XLSX link; HR the organisation's summary."""

import io
from datetime import UTC, datetime

from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.org import services as org
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.staff.monthly import send_monthly_reports
from tests.unit.staff.conftest import NOW


def _closed(staff_org, period="2026-10"):
    close = MonthClose.objects.create(
        period=period, status=CloseStatus.CLOSED, policy_hash="h", decided_at=NOW,
        learners=3, warnings=2, suspensions=1,
    )  # fmt: skip
    for user, unit, met, missed in (
        (staff_org.behind, staff_org.sales, False, 1),
        (staff_org.done, staff_org.sales, True, 0),
        (staff_org.elsewhere, staff_org.support, False, 0),
    ):
        Standing.objects.create(
            close=close, user=user, period=period, unit=unit,
            required_completed=2 if met else 0, quota=2,
            quota_met=met, missed_tasks=missed, months_with_misses=missed,
            consequences=[] if met else ["quota_warning"], judged_at=NOW,
        )  # fmt: skip
    return close


def _send(close, now=NOW):
    with freeze_time(now), transaction.atomic():
        send_monthly_reports(close)


def test_each_contact_gets_their_units_once_and_hr_the_summary(staff_org, make_user):  # P-28
    lead = make_user()
    org.assign_contact(lead.pk, staff_org.hq.pk)
    close = _closed(staff_org)
    _send(close)
    _send(close)  # a re-run of the close sends nothing twice
    mails = {(m.message_type, m.user_id): m.context for m in OutboxMessage.objects.all()}
    assert len(mails) == 3
    sales = mails[("monthly_progress", staff_org.contact.pk)]
    assert (sales["unit"], sales["learners"], sales["behind"]) == ("Sales", 2, 1)
    assert sales["link"].endswith("/elearn/units/report/2026-10.xlsx")
    whole = mails[("monthly_progress", lead.pk)]
    assert (whole["unit"], whole["learners"], whole["behind"]) == ("Headquarters", 3, 2)
    summary = mails[("monthly_summary", staff_org.hr.pk)]
    assert (summary["learners"], summary["at_quota"], summary["warnings"]) == (3, 1, 2)
    # Counts and unit names only: no learner's name travels in the mail.
    assert "Behind Bai" not in str(mails)


def test_a_catch_up_mails_only_the_latest_month(staff_org):  # P-28
    close = _closed(staff_org, "2026-09")
    _send(close)  # in November, September is not the month just ended
    assert not OutboxMessage.objects.exists()
    _send(close, now=datetime(2026, 10, 2, tzinfo=UTC))
    assert OutboxMessage.objects.filter(message_type="monthly_progress").count() == 1


def test_the_report_is_sent_by_the_month_close_hook(staff_org):
    from elearn_plugin.month_close.registry import _HOOKS

    assert send_monthly_reports in _HOOKS
    names = [hook.__module__ for hook in _HOOKS]
    # After the hours and rankings of the month are recorded.
    assert names.index("elearn_plugin.staff.monthly") > names.index("elearn_plugin.hours.hooks")


def test_the_xlsx_holds_only_the_readers_units(client, staff_org):  # P-28, P-31, P-32
    _closed(staff_org)
    url = reverse("elearn:staff-unit-report", args=["2026-10"])
    client.force_login(staff_org.contact)
    response = client.get(url)
    book = load_workbook(io.BytesIO(response.content))
    names = [row[0] for row in book["Standing"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(
        [p.employee_id for p in (staff_org.behind.elearn_person, staff_org.done.elearn_person)]
    )
    assert "Hours" in book.sheetnames
    client.force_login(staff_org.hr)
    everyone = load_workbook(io.BytesIO(client.get(url).content))["Standing"]
    assert everyone.max_row == 4


def test_an_open_or_unknown_month_has_no_report(client, staff_org):
    client.force_login(staff_org.hr)
    open_month = client.get(reverse("elearn:staff-unit-report", args=["2026-11"]))
    nonsense = client.get(reverse("elearn:staff-unit-report", args=["2026-13"]))
    words = client.get(reverse("elearn:staff-unit-report", args=["soon"]))
    assert (open_month.status_code, nonsense.status_code, words.status_code) == (404, 404, 404)
