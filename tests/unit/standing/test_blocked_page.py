"""The page a blocked learner is shown when their open session ends (P-8)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings

from elearn_plugin.standing import services


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _impose(user, kind, ends_at=None):
    services.impose(
        user.pk,
        kind,
        "sharing" if kind == "suspension" else "illegal_upload",
        f"{kind}:{user.pk}",
        reason="Recorded reason",
        starts_at=datetime.now(UTC) - timedelta(minutes=1),
        ends_at=ends_at,
    )


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get("/elearn/standing/me/")
    assert response.status_code == 403
    return response.content.decode()


def _heading(body: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", body, re.S).group(1).strip()


# P-8: each kind of block is named in the heading (Django's {% block %} hid `block`, so every
# page said "frozen")
@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        ("suspension", "Your account is suspended"),
        ("revocation", "Your account has been revoked"),
        ("freeze", "Your account is frozen"),
    ],
)
def test_each_kind_has_its_own_heading(client, make_user, kind, heading):
    user = make_user()
    ends = datetime.now(UTC) + timedelta(days=7) if kind == "suspension" else None
    _impose(user, kind, ends)
    assert _heading(_page(client, user)) == heading


# P-8: the end date is given with the policy's time zone, and how to reach the HR centre
@override_settings(ELEARN_REINSTATEMENT_HELP="Write to hr@example.com or call 8001.")
def test_end_date_names_the_time_zone_and_the_hr_contact_is_shown(client, make_user):
    user = make_user()
    ends = datetime(2036, 3, 17, 8, 0, tzinfo=UTC)
    _impose(user, "suspension", ends)
    body = _page(client, user)
    assert "2036-03-17 16:00" in body and "Asia/Shanghai" in body
    assert "Write to hr@example.com or call 8001." in body
