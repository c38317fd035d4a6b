"""The privacy notice (P-32): shown once on the learner's pages until acknowledged, the
acknowledgement stored with its version and audited, a new version asked again; the page's
role matrices."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.policy.runtime import reset_policy_cache
from elearn_plugin.privacy import notice
from elearn_plugin.privacy.models import NoticeAcknowledgement
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.policy.helpers import variant

MY_TRAINING = reverse("elearn:my-training")
NOTICE = reverse("elearn:privacy-notice")
ACK = reverse("elearn:privacy-acknowledge")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()
    reset_policy_cache()


def test_the_notice_is_shown_once_then_not(client, make_user):
    learner = make_user()
    client.force_login(learner)
    first = client.get(MY_TRAINING)
    assert first.status_code == 302
    assert first["Location"] == f"{NOTICE}?next=%2Felearn%2Fmy-training%2F"
    page = client.get(first["Location"])
    assert "180 days" in page.content.decode() and "400 days" in page.content.decode()
    done = client.post(ACK, {"next": MY_TRAINING})
    assert done.status_code == 302 and done["Location"] == MY_TRAINING
    assert client.get(MY_TRAINING).status_code == 200
    assert client.get(MY_TRAINING).status_code == 200
    row = NoticeAcknowledgement.objects.get(user=learner)
    assert row.version == "1-180-400" and row.acknowledged_at is not None
    event = AuditEvent.objects.get(verb="privacy.notice_acknowledged")
    assert (event.actor_user_id, event.target, event.data) == (
        learner.pk,
        f"auth.user:{learner.pk}",
        {"version_code": "1-180-400"},
    )
    client.post(ACK)  # a second click records nothing
    assert AuditEvent.objects.filter(verb="privacy.notice_acknowledged").count() == 1


def test_a_new_version_is_shown_again(client, make_user, settings, tmp_path):
    learner = make_user()
    notice.acknowledge(learner.pk, actor=learner)
    client.force_login(learner)
    assert client.get(MY_TRAINING).status_code == 200
    changed = tmp_path / "policy.yaml"
    changed.write_text(variant(("notice_revision: 1 ", "notice_revision: 2 ")), encoding="utf-8")
    settings.ELEARN_POLICY_FILE = str(changed)
    reset_policy_cache()
    assert notice.current_version() == "2-180-400"
    assert client.get(MY_TRAINING).status_code == 302
    client.post(ACK)
    assert client.get(MY_TRAINING).status_code == 200
    assert sorted(NoticeAcknowledgement.objects.values_list("version", flat=True)) == [
        "1-180-400",
        "2-180-400",
    ]


def test_the_check_is_one_cache_read_after_the_first(db, make_user):
    learner = make_user()
    notice.acknowledge(learner.pk, actor=learner)
    assert notice.pending(learner) is False
    with CaptureQueriesContext(connection) as queries:
        assert notice.pending(learner) is False
    assert len(queries.captured_queries) == 0


def test_the_next_address_must_stay_on_the_site(client, make_user):
    client.force_login(make_user())
    response = client.post(ACK, {"next": "https://evil.example/steal"})
    assert response["Location"] == NOTICE
    page = client.get(NOTICE, {"next": "//evil.example/"})
    assert "evil.example" not in page.content.decode()


def test_the_player_shows_a_line_until_acknowledged(rf, make_user):
    learner = make_user()
    request = rf.get("/")
    request.user = learner
    assert notice.player_notice_url(request) == NOTICE
    notice.acknowledge(learner.pk, actor=learner)
    request = rf.get("/")
    request.user = learner
    assert notice.player_notice_url(request) == ""


def test_the_hosts_pages_are_not_touched(client, make_user):
    # No middleware: a page of the host (the admin login here) is never redirected.
    client.force_login(make_user())
    assert client.get("/admin/login/").status_code in (200, 302)
    assert client.get("/admin/login/").get("Location", "").find("privacy") == -1


def test_notice_page_matrix(client, role_users):  # noqa: F811 - P-31
    # Public: anyone may read what the site records; the blocked role is signed out first.
    expected = {role: 200 for role in ("anonymous", "learner", "other_learner", "contact")}
    expected |= {"other_contact": 200, "hr": 200, "reviewer": 200, "publisher": 200}
    assert_role_matrix(client, "get", NOTICE, expected | {"blocked": 403})


def test_acknowledge_matrix(client, role_users):  # noqa: F811 - P-31
    expected = {role: 302 for role in ("anonymous", "learner", "other_learner", "contact")}
    expected |= {"other_contact": 302, "hr": 302, "reviewer": 302, "publisher": 302}
    assert_role_matrix(client, "post", ACK, expected | {"blocked": 403}, {})
    assert NoticeAcknowledgement.objects.count() == 7  # every signed-in role but the blocked
