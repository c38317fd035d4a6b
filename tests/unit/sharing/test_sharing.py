"""Account sharing becomes the policy's consequence (P-4): one suspension per incident, lifted
by itself after the policy's days; a flag HR confirms or dismisses; re-runs change nothing."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from elearn_plugin.audit import acting_as
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.sharing import admin as sharing_admin
from elearn_plugin.sharing import jobs, services
from elearn_plugin.sharing.models import SharingIncident
from elearn_plugin.standing.blocks import active_block
from elearn_plugin.standing.models import Sanction
from elearn_plugin.video.models import SharingSuspicion, WatchSession
from tests.helpers.role_matrix import role_users  # noqa: F401 (a fixture)
from tests.unit.policy.helpers import DEFAULT

POLICY = load_policy(DEFAULT)
SUSPEND = replace(POLICY, sharing=replace(POLICY.sharing, action="suspend"))
FLAG = replace(POLICY, sharing=replace(POLICY.sharing, action="flag"))
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
BLOCK = "block-v1:Org+C+R+type@elearn_video+block@v1"


def suspicion(user, at, ip_a="10.0.0.1", ip_b="10.9.9.9", evidence=None):
    a, b = (
        WatchSession.objects.create(
            user=user, course_key="course-v1:Org+C+R", block_key=BLOCK, ip=ip, created_at=at
        )
        for ip in (ip_a, ip_b)
    )
    return SharingSuspicion.objects.create(
        user=user,
        first_session=a,
        second_session=b,
        detected_at=at,
        evidence=evidence
        if evidence is not None
        else {"first": {"ip": ip_a, "block_key": BLOCK}, "second": {"ip": ip_b}},
    )


def judge(policy, now):
    with acting_as("job:sharing.judge"):
        return services.judge_sharing(policy, now=now)


def test_a_morning_of_shared_playback_is_one_suspension(make_user):  # P-4
    user = make_user()
    for minutes in (0, 20, 95, 300):
        suspicion(user, T0 + timedelta(minutes=minutes))
    now = T0 + timedelta(hours=6)
    assert judge(SUSPEND, now)["suspended"] == 1
    (sanction,) = Sanction.objects.filter(user=user)
    assert (sanction.kind, sanction.reason_code) == ("suspension", "sharing")
    assert sanction.ends_at == now + timedelta(days=7)
    assert len(sanction.evidence["suspicion_ids"]) == 4
    incident = SharingIncident.objects.get()
    assert (incident.status, incident.sanction_id) == ("suspended", sanction.pk)
    assert OutboxMessage.objects.filter(user=user, message_type="sharing_flag").count() == 1
    event = AuditEvent.objects.get(verb="sharing.incident_recorded")
    assert event.data["suspicion_count"] == 4 and event.actor_system == "job:sharing.judge"
    # The suspension lifts itself when its week is over.
    assert active_block(user.pk, now + timedelta(days=1)).kind == "suspension"
    assert active_block(user.pk, now + timedelta(days=8)) is None


def test_a_rerun_and_evidence_inside_a_recorded_incident_add_nothing(make_user):  # P-4, P-33
    user = make_user()
    suspicion(user, T0)
    judge(SUSPEND, T0 + timedelta(hours=1))
    assert judge(SUSPEND, T0 + timedelta(hours=2)) == {
        "incidents": 0,
        "suspended": 0,
        "flagged": 0,
        "joined": 0,
    }
    # More shared use in the same window, seen by a later tick: joins the incident.
    suspicion(user, T0 + timedelta(hours=3))
    assert judge(SUSPEND, T0 + timedelta(hours=4))["joined"] == 1
    assert Sanction.objects.count() == 1 and SharingIncident.objects.count() == 1
    assert len(SharingIncident.objects.get().suspicion_ids) == 2
    assert OutboxMessage.objects.count() == 1


def test_shared_use_after_the_window_is_a_second_incident(make_user):  # P-4
    user = make_user()
    suspicion(user, T0)
    judge(SUSPEND, T0 + timedelta(hours=1))
    suspicion(user, T0 + timedelta(days=9))
    judge(SUSPEND, T0 + timedelta(days=9, hours=1))
    assert SharingIncident.objects.count() == 2 and Sanction.objects.count() == 2


def test_flag_mode_waits_for_hr_to_confirm_or_dismiss(make_user):  # P-4
    a, b, hr = make_user(), make_user(), make_user()
    suspicion(a, T0)
    suspicion(b, T0)
    assert judge(FLAG, T0 + timedelta(hours=1))["flagged"] == 2
    assert not Sanction.objects.exists()
    first, second = SharingIncident.objects.order_by("user_id")
    sanction = services.confirm(first.pk, SUSPEND, actor=hr, now=T0 + timedelta(hours=2))
    assert sanction.user_id == a.pk and active_block(a.pk, T0 + timedelta(hours=3)) is not None
    services.dismiss(second.pk, actor=hr)
    assert active_block(b.pk, T0 + timedelta(hours=3)) is None
    statuses = dict(SharingIncident.objects.values_list("user_id", "status"))
    assert statuses == {a.pk: "confirmed", b.pk: "dismissed"}
    with pytest.raises(services.SharingError, match="decided already"):
        services.dismiss(first.pk, actor=hr)
    with pytest.raises(services.SharingError, match="No such"):
        services.confirm(999_999, SUSPEND, actor=hr)
    confirmed = AuditEvent.objects.get(verb="sharing.incident_confirmed")
    assert (confirmed.actor_user_id, confirmed.data) == (hr.pk, {"sanction_id": sanction.pk})


def test_broken_evidence_does_not_stop_the_job(make_user):  # P-4
    user = make_user()
    suspicion(user, T0, evidence={"nonsense": [1, 2]})
    assert judge(SUSPEND, T0 + timedelta(hours=1))["suspended"] == 1


def test_the_tick_job_judges_with_the_configured_policy(make_user):  # P-4
    suspicion(make_user(), T0)
    with acting_as("job:sharing.judge"):
        report = jobs.judge_sharing_job(T0 + timedelta(hours=1))
    assert report["incidents"] == 1
    assert report[POLICY.sharing.action == "suspend" and "suspended" or "flagged"] == 1


@pytest.mark.parametrize("learners", [2, 20])
def test_judging_keeps_a_constant_number_of_queries(
    make_user, learners, django_assert_max_num_queries
):  # P-4
    for _ in range(learners):
        suspicion(make_user(), T0)
    with django_assert_max_num_queries(30):
        assert judge(SUSPEND, T0 + timedelta(hours=1))["suspended"] == learners


def _request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_only_hr_decides_in_the_admin_and_the_evidence_is_escaped(
    make_user,
    role_users,  # noqa: F811
):  # P-4, P-31
    user = make_user()
    suspicion(user, T0, ip_a="10.0.0.1", evidence={"first": {"ip": "<b>x</b>"}})
    judge(FLAG, T0 + timedelta(hours=1))
    page = admin.site._registry[SharingIncident]
    incidents = SharingIncident.objects.all()
    for role in ("learner", "contact", "reviewer", "publisher", "blocked"):
        sharing_admin.dismiss(page, _request(getattr(role_users, role)), incidents)
    assert SharingIncident.objects.get().status == "flagged"
    assert "&lt;b&gt;x&lt;/b&gt;" in page.evidence(incidents.get())
    sharing_admin.confirm(page, _request(role_users.hr), incidents)
    assert SharingIncident.objects.get().status == "confirmed"
