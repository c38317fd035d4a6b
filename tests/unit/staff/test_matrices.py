"""The role matrix of every training-contact endpoint (P-31): the contact reaches their unit,
never the other; learners and the other roles nothing; HR everything."""

from django.urls import reverse

from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.org.models import Unit
from tests.helpers.role_matrix import assert_role_matrix

REFUSED = {"learner": 403, "other_learner": 403, "reviewer": 403, "publisher": 403}
REFUSED |= {"blocked": 403, "anonymous": 302}


def _code(unit_id):
    return Unit.objects.get(pk=unit_id).code


def test_units_page_matrix(client, role_users):
    url = reverse("elearn:staff-units")
    # A contact of one unit is sent on to it.
    assert_role_matrix(
        client, "get", url, REFUSED | {"contact": 302, "other_contact": 302, "hr": 200}
    )


def test_unit_page_matrix(client, role_users):
    url = reverse("elearn:staff-unit", args=[_code(role_users.unit_id)])
    assert_role_matrix(
        client, "get", url, REFUSED | {"contact": 200, "other_contact": 403, "hr": 200}
    )


def test_unit_export_matrix(client, role_users):
    url = reverse("elearn:staff-unit-export", args=[_code(role_users.unit_id), "csv"])
    assert_role_matrix(
        client, "get", url, REFUSED | {"contact": 200, "other_contact": 403, "hr": 200}
    )


def test_remind_matrix(client, role_users):
    url = reverse("elearn:staff-unit-remind", args=[_code(role_users.unit_id)])
    data = {"user_id": [str(role_users.learner.pk)]}
    # Accepted requests go back to the page (302) whether or not anyone was behind.
    expected = REFUSED | {"contact": 302, "other_contact": 403, "hr": 302}
    assert_role_matrix(client, "post", url, expected, data)


def test_monthly_report_matrix(client, role_users):
    MonthClose.objects.create(
        period="2026-10", status=CloseStatus.CLOSED, policy_hash="x", decided_at="2026-11-01T00:00Z"
    )
    url = reverse("elearn:staff-unit-report", args=["2026-10"])
    assert_role_matrix(
        client, "get", url, REFUSED | {"contact": 200, "other_contact": 200, "hr": 200}
    )
    # A contact asking for another unit's report gets nothing (404, as for an unknown code).
    mine = f"{url}?unit={_code(role_users.unit_id)}"
    theirs = f"{url}?unit={_code(role_users.other_unit_id)}"
    assert_role_matrix(
        client, "get", theirs, REFUSED | {"contact": 404, "other_contact": 200, "hr": 200}
    )
    assert_role_matrix(
        client, "get", mine, REFUSED | {"contact": 200, "other_contact": 404, "hr": 200}
    )


def test_learner_choices_matrix(client, role_users):
    url = reverse("elearn:staff-learner-choices") + "?q=Person"
    assert_role_matrix(
        client, "get", url, REFUSED | {"contact": 200, "other_contact": 200, "hr": 200}
    )
