"""HR's read-only admin pages of the rankings and the hours cap: who sees them (P-31), and
that nobody adds, edits or deletes a frozen ranking or a closed month's hours (P-25, P-24)."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.learning.activities import ActivitySpec, record_activities_bulk
from elearn_plugin.rankings.admin import RankingAdmin, RankingEntryInline, UnitMonthHoursAdmin
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rules.periods import period_from_label
from tests.unit.rankings.conftest import TZ, close, local


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_only_hr_reads_rankings_and_hours_and_nobody_changes_them(role_users):  # P-31
    pages = (
        RankingAdmin(Ranking, admin.site),
        UnitMonthHoursAdmin(UnitMonthHours, admin.site),
        RankingEntryInline(RankingEntry, admin.site),
    )
    for page in pages:
        assert page.has_view_permission(_request(role_users.hr))
        for role in ("learner", "contact", "reviewer", "publisher", "blocked"):
            assert not page.has_view_permission(_request(getattr(role_users, role))), role
        assert (
            not page.has_add_permission(_request(role_users.hr), None)
            if isinstance(page, RankingEntryInline)
            else not page.has_add_permission(_request(role_users.hr))
        )
        assert not page.has_change_permission(_request(role_users.hr), None)
    for page in pages[:2]:
        assert page.has_module_permission(_request(role_users.hr))
        assert not page.has_module_permission(_request(role_users.learner))
        assert not page.has_delete_permission(_request(role_users.hr), None)


def test_hr_opens_the_ranking_list_and_a_frozen_ranking(quarter, role_users, client):  # P-25
    role_users.hr.is_staff = True  # the admin site itself admits staff accounts only
    role_users.hr.save(update_fields=["is_staff"])
    client.force_login(role_users.hr)
    listing = client.get("/admin/elearn_plugin/ranking/")
    assert listing.status_code == 200 and b"2026-Q1" in listing.content
    ranking = Ranking.objects.get(period="2026-Q1")
    page = client.get(f"/admin/elearn_plugin/ranking/{ranking.pk}/change/")
    assert page.status_code == 200
    assert page.content.count(b"4.00") >= 3  # the three tied learners' credits
    start = local(2026, 4, 8, 19)
    record_activities_bulk(
        [ActivitySpec(quarter["a"], "video", "adm", start, start + timedelta(minutes=90))]
    )
    close(period_from_label("2026-04", TZ), now=local(2026, 5, 1, 1))
    hours_page = client.get("/admin/elearn_plugin/unitmonthhours/")
    assert hours_page.status_code == 200
    assert b"1.50" in hours_page.content  # 90 minutes shown in hours
    client.force_login(role_users.learner)
    assert client.get("/admin/elearn_plugin/ranking/").status_code in (302, 403)
