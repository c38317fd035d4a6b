"""HR's admin pages of the month close: who sees them, who confirms a held close (P-22,
P-31, P-33)."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.month_close.admin import MonthCloseAdmin, StandingAdmin
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing


def _request(user, data=None):
    request = RequestFactory().post("/admin/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def held(db):
    from django.utils import timezone

    return MonthClose.objects.create(
        period="2026-01", status=CloseStatus.HELD, policy_hash="a" * 64, decided_at=timezone.now()
    )


def test_only_hr_reads_the_month_closes_and_standings(role_users, held):  # P-31
    for model, admin_class in ((MonthClose, MonthCloseAdmin), (Standing, StandingAdmin)):
        model_admin = admin_class(model, admin.site)
        assert model_admin.has_view_permission(_request(role_users.hr))
        assert model_admin.has_module_permission(_request(role_users.hr))
        for role in ("learner", "contact", "reviewer", "publisher", "blocked"):
            request = _request(getattr(role_users, role))
            assert not model_admin.has_view_permission(request), (model, role)
            assert not model_admin.has_module_permission(request), (model, role)
        assert not model_admin.has_add_permission(_request(role_users.hr))
        assert not model_admin.has_delete_permission(_request(role_users.hr), None)


def test_hr_confirms_a_held_close_and_others_cannot(role_users, held):  # P-33, P-31
    model_admin = MonthCloseAdmin(MonthClose, admin.site)
    confirm = model_admin.get_actions(_request(role_users.hr))["confirm_selected"][0]
    assert "confirm_selected" not in model_admin.get_actions(_request(role_users.contact))
    confirm(model_admin, _request(role_users.contact), MonthClose.objects.all())
    assert MonthClose.objects.get().status == CloseStatus.HELD
    confirm(model_admin, _request(role_users.hr), MonthClose.objects.all())
    close = MonthClose.objects.get()
    assert close.status == CloseStatus.APPLYING and close.confirmed_by == role_users.hr
    event = AuditEvent.objects.get(verb="month_close.confirmed")
    assert event.actor_user_id == role_users.hr.pk
    # Confirming again changes nothing: the close is no longer held.
    confirm(model_admin, _request(role_users.hr), MonthClose.objects.all())
    assert AuditEvent.objects.filter(verb="month_close.confirmed").count() == 1


def test_the_evidence_shown_to_hr_is_escaped(db):  # P-32
    from elearn_plugin.admin_base import evidence_block

    html = evidence_block(
        {"period": "2026-01", "missed": [{"course_key": "<script>x</script>", "due_at": "?"}]}
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
