"""The kill switch (P-34) and the learning gate (P-8)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management import CommandError, call_command
from freezegun import freeze_time
from waffle import get_waffle_switch_model

from elearn_plugin import killswitch
from elearn_plugin.gate import Refusal, learning_refusal
from elearn_plugin.killswitch import SWITCH_NAME, learning_enabled, set_learning_enabled
from elearn_plugin.standing import services
from elearn_plugin.standing.models import Sanction


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_learning_is_on_by_default(db):  # P-34
    assert learning_enabled() is True


def test_switch_off_and_on_keeps_data(make_user):  # P-34
    hr, learner = make_user(is_staff=True), make_user()
    services.impose(learner.pk, "warning", "missed_tasks", "quota:2026-02")
    before = list(Sanction.objects.values())
    set_learning_enabled(False, actor=hr)
    assert learning_enabled() is False
    switch = get_waffle_switch_model().objects.get(name=SWITCH_NAME)
    assert switch.active and f"user id {hr.pk}" in switch.note
    assert learning_refusal(learner).code == "learning_off"
    set_learning_enabled(True, actor=hr)
    assert learning_enabled() is True
    assert learning_refusal(learner) is None
    assert list(Sanction.objects.values()) == before
    assert learner.__class__.objects.filter(pk=learner.pk).exists()


def test_switch_refuses_non_bool(db):  # P-34
    with pytest.raises(TypeError):
        set_learning_enabled("off", actor=None)
    assert learning_enabled() is True


def test_switch_change_outside_the_function_is_seen_within_seconds(db):  # P-34
    assert learning_enabled() is True  # cached
    get_waffle_switch_model().objects.create(name=SWITCH_NAME, active=True)
    with freeze_time(datetime.now(UTC) + timedelta(seconds=killswitch.CACHE_SECONDS + 1)):
        assert learning_enabled() is False


def test_command(make_user):  # P-34
    hr = make_user(is_staff=True)
    out = StringIO()
    call_command("elearn_killswitch", "off", "--actor-id", str(hr.pk), stdout=out)
    assert "learning: off" in out.getvalue()
    assert learning_enabled() is False
    out = StringIO()
    call_command("elearn_killswitch", "status", stdout=out)
    assert "learning: off" in out.getvalue()
    call_command("elearn_killswitch", "on", stdout=StringIO())
    assert learning_enabled() is True


def test_command_refuses_bad_input(db):  # P-34
    with pytest.raises(CommandError):
        call_command("elearn_killswitch", "maybe", stdout=StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("elearn_killswitch", "off", "--actor-id", "424242", stdout=StringIO())
    assert learning_enabled() is True


# --- the gate ------------------------------------------------------------------------------


def test_gate_refusals(make_user):  # P-8, P-34
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    learner = make_user()
    assert learning_refusal(learner, now) is None
    assert learning_refusal(AnonymousUser(), now).code == "not_authenticated"
    assert learning_refusal(None, now).code == "not_authenticated"

    services.impose(
        learner.pk,
        "suspension",
        "missed_tasks",
        "missed:2026-02",
        starts_at=now,
        ends_at=datetime(2026, 4, 10, 8, 0, tzinfo=UTC),
    )
    refusal = learning_refusal(learner, now)
    assert isinstance(refusal, Refusal) and refusal.code == "suspended"
    assert "suspended until" in refusal.message and "2026" in refusal.message
    assert "missed learning tasks" in refusal.message
    assert learning_refusal(learner, datetime(2026, 4, 10, 8, 0, tzinfo=UTC)) is None

    services.impose(learner.pk, "revocation", "missed_tasks", "revoke:2026-03", starts_at=now)
    assert learning_refusal(learner, now).code == "revoked"
    services.impose(learner.pk, "freeze", "departure", "departure:1", starts_at=now)
    assert learning_refusal(learner, now).code == "frozen"


def test_gate_checks_switch_first(make_user):  # P-34
    learner = make_user()
    services.impose(learner.pk, "freeze", "departure", "departure:1")
    set_learning_enabled(False, actor=None)
    assert learning_refusal(learner).code == "learning_off"
    assert learning_refusal(AnonymousUser()).code == "learning_off"
