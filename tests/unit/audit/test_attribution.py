"""Jobs, commands and tasks attribute their changes themselves (ADR 0009, P-11).

These tests run without the suite's default principal (`no_principal`): a writer reached
from these entry points without an actor would fail here as it would in production.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.standing import services as standing
from elearn_plugin.tick import registry
from elearn_plugin.tick.services import run_tick

pytestmark = [pytest.mark.django_db, pytest.mark.no_principal]


def test_a_tick_job_is_the_actor_of_what_it_changes(make_user, monkeypatch):
    learner = make_user()

    def suspend_one(now):
        standing.impose(
            learner.pk,
            "suspension",
            "missed_tasks",
            "missed_tasks:2026-11",
            ends_at=now + timedelta(days=30),
        )
        return {}

    monkeypatch.setitem(registry.JOBS, "test.suspend", suspend_one)
    report = run_tick(only="test.suspend")
    assert report.ok, report.as_dict()
    event = AuditEvent.objects.get(verb="sanction.imposed")
    assert (event.actor_user_id, event.actor_system) == (None, "job:test.suspend")


def test_a_command_is_the_actor_unless_it_names_a_staff_user(make_user):  # P-34
    call_command("elearn_killswitch", "off", stdout=StringIO())
    hr = make_user(is_staff=True)
    call_command("elearn_killswitch", "on", "--actor-id", str(hr.pk), stdout=StringIO())
    events = list(
        AuditEvent.objects.filter(verb="learning.switched")
        .order_by("id")
        .values_list("actor_system", "actor_user_id", "data")
    )
    assert events == [
        ("command:elearn_killswitch", None, {"enabled": False}),
        ("", hr.pk, {"enabled": True}),
    ]


def test_a_writer_outside_any_entry_point_is_refused(make_user):
    from elearn_plugin.audit import AuditError  # noqa: PLC0415

    learner = make_user()
    with pytest.raises(AuditError, match="no actor"):
        standing.impose(learner.pk, "warning", "quota", "quota:2026-11")
    assert not learner.elearn_sanctions.exists()


def test_a_changed_policy_file_is_recorded_once_by_the_tick(settings, tmp_path):  # P-33
    from pathlib import Path  # noqa: PLC0415

    from elearn_plugin.policy.runtime import reset_policy_cache  # noqa: PLC0415

    policy = tmp_path / "policy.yaml"
    policy.write_bytes(Path(settings.ELEARN_POLICY_FILE).read_bytes())
    settings.ELEARN_POLICY_FILE = str(policy)
    reset_policy_cache()
    run_tick(only="audit.policy")
    run_tick(only="audit.policy")  # unchanged: nothing more
    policy.write_bytes(policy.read_bytes() + b"\n# quota reviewed by HR\n")
    reset_policy_cache()
    run_tick(only="audit.policy")
    events = list(AuditEvent.objects.filter(verb="policy.activated").order_by("id"))
    assert len(events) == 2
    assert events[0].actor_system == "job:audit.policy"
    assert events[1].data["previous_key"] == events[0].data["digest_key"]
    assert events[1].data["digest_key"] != events[0].data["digest_key"]
