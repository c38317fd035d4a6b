"""The host's account retirement erases the plugin's personal data (P-7, P-32, P-33).

Upstream, openedx-platform `openedx/core/djangoapps/user_api/accounts/signals.py` defines
`USER_RETIRE_MAILINGS`, `USER_RETIRE_LMS_CRITICAL` and `USER_RETIRE_LMS_MISC`, and
`openedx/core/djangoapps/user_api/accounts/views.py` sends them:
- `AccountRetirementView.post` (`/api/user/v1/accounts/retire/`):
  `USER_RETIRE_LMS_CRITICAL.send(sender=self.__class__, user=user,
  retired_username=retired_username, retired_email=retired_email)`, then blanks the names and
  saves the retired username and e-mail on the user;
- `LMSAccountRetirementView.post` (`/api/user/v1/accounts/retire_misc/`):
  `USER_RETIRE_LMS_MISC.send(sender=self.__class__, user=retirement.user)`, then
  `USER_RETIRE_MAILINGS.send(sender=self.__class__, email=retirement.original_email,
  new_email=retirement.retired_email, user=retirement.user)`.
Both wrap the step in `try: ... except Exception as exc: return Response(str(exc), status=500)`,
with `Signal.send`, so a receiver's exception fails the step (it is run again later).
`_retire_view` and `_retire_misc_view` below send exactly that, through the stand-in of
`signals.py` (`tests/host/platform/openedx/...`), to the receivers that the stand-in
`PluginsConfig` connected from the plugin's `signals_config`, as the LMS does.
"""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.utils.module_loading import import_string
from openedx.core.djangoapps.user_api.accounts.signals import (
    USER_RETIRE_LMS_CRITICAL,
    USER_RETIRE_LMS_MISC,
    USER_RETIRE_MAILINGS,
)

from elearn_plugin.apps import ElearnPluginConfig
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.host import receivers, retirement
from elearn_plugin.org.models import Person
from elearn_plugin.retirement import RETIRED_NAME
from tests.unit.retirement import data


class AccountRetirementView:
    """The sender, as upstream's view sends `self.__class__`."""


class LMSAccountRetirementView:
    """The sender of the misc step."""


def _retire_view(user) -> int:
    """What `AccountRetirementView.post` does around the signal; its HTTP status."""
    retired_username = f"retired__user_{user.pk:08x}"
    retired_email = f"retired__user_{user.pk:08x}@retired.invalid"
    try:
        with transaction.atomic():  # the request's transaction, if the LMS wraps one
            USER_RETIRE_LMS_CRITICAL.send(
                sender=AccountRetirementView,
                user=user,
                retired_username=retired_username,
                retired_email=retired_email,
            )
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.username = retired_username
            user.email = retired_email
            user.save()
    except Exception:  # noqa: BLE001 - the view answers 500 with the exception's text
        return 500
    return 204


def _retire_misc_view(user, original_email: str) -> int:
    """What `LMSAccountRetirementView.post` sends; its HTTP status."""
    try:
        with transaction.atomic():
            USER_RETIRE_LMS_MISC.send(sender=LMSAccountRetirementView, user=user)
            USER_RETIRE_MAILINGS.send(
                sender=LMSAccountRetirementView,
                email=original_email,
                new_email=f"retired__user_{user.pk:08x}@retired.invalid",
                user=user,
            )
    except Exception:  # noqa: BLE001
        return 500
    return 204


@pytest.fixture
def learners(db, make_user):
    place = data.unit()
    learner, other = make_user(), make_user()
    data.history(learner, place)
    data.history(other, place)
    return learner, other


def _events(user_id: int) -> int:
    return AuditEvent.objects.filter(verb="person.retired", target=f"auth.user:{user_id}").count()


# --- wiring ------------------------------------------------------------------------------


def test_the_receivers_are_registered_in_the_lms_through_signals_config():
    config = ElearnPluginConfig.plugin_app["signals_config"]
    assert config["lms.djangoapp"]["relative_path"] == "host.receivers"
    lms = {
        (r["receiver_func_name"], r["signal_path"]) for r in config["lms.djangoapp"]["receivers"]
    }
    assert {
        ("retire_lms_critical", retirement.USER_RETIRE_LMS_CRITICAL_PATH),
        ("retire_mailings", retirement.USER_RETIRE_MAILINGS_PATH),
    } <= lms
    studio = {r["receiver_func_name"] for r in config["cms.djangoapp"]["receivers"]}
    assert not studio & {"retire_lms_critical", "retire_mailings"}
    for entry in config["lms.djangoapp"]["receivers"]:
        if entry["receiver_func_name"].startswith("retire_"):
            assert getattr(receivers, entry["receiver_func_name"]) is getattr(
                retirement, entry["receiver_func_name"]
            )
            signal = import_string(entry["signal_path"])
            assert entry["dispatch_uid"] in {lookup[0] for lookup, *_ in signal.receivers}
    assert import_string(retirement.USER_RETIRE_LMS_CRITICAL_PATH) is USER_RETIRE_LMS_CRITICAL


def test_the_retirement_signals_are_left_out_without_the_platform(monkeypatch):
    real = receivers.find_spec
    monkeypatch.setattr(
        receivers, "find_spec", lambda name: None if name == "openedx" else real(name)
    )
    names = {r["receiver_func_name"] for r in receivers.receivers_for("lms.djangoapp")}
    assert not names & {"retire_lms_critical", "retire_mailings"}


# --- the platform retires a learner ------------------------------------------------------


# P-32, P-7: the retirement step erases the learner's personal data, keeps the archive.
def test_the_retirement_step_erases_the_learners_personal_data(learners):
    learner, other = learners
    other_before = data.snapshot(other.pk)
    counts = data.archive_counts()

    assert _retire_view(learner) == 204

    assert Person.objects.get(user_id=learner.pk).name == RETIRED_NAME
    erased = data.snapshot(learner.pk)
    assert erased.pop("Person")[0][1:] == (RETIRED_NAME,)
    assert all(erased.values())  # every table held rows of the learner
    assert all(value in ("", {}, None) for rows in erased.values() for r in rows for value in r[1:])
    assert data.snapshot(other.pk) == other_before
    after = data.archive_counts()
    assert after.pop("AuditEvent") == counts.pop("AuditEvent") + 1
    assert after == counts
    event = AuditEvent.objects.get(verb="person.retired")
    assert event.actor_system == "receiver:retire_lms_critical"


# P-33: the driver re-runs a step (or both steps run): no error, nothing more changes.
def test_sent_twice_changes_nothing_more(learners):
    learner, _other = learners
    email = learner.email
    assert _retire_misc_view(learner, email) == 204  # mailings first, as the pipeline does
    once = (data.snapshot(learner.pk), data.outbox_of(learner.pk), data.archive_counts())

    assert _retire_view(learner) == 204
    assert _retire_view(learner) == 204

    assert (data.snapshot(learner.pk), data.outbox_of(learner.pk), data.archive_counts()) == once
    assert _events(learner.pk) == 1
    assert AuditEvent.objects.get(verb="person.retired").actor_system == "receiver:retire_mailings"


def test_a_user_without_plugin_data_is_retired_with_nothing_to_erase(db, make_user):
    nobody = make_user()
    counts = data.archive_counts()
    assert _retire_view(nobody) == 204
    assert data.archive_counts() == counts
    assert _events(nobody.pk) == 0


def test_a_payload_without_a_user_changes_nothing(learners, caplog):
    counts = data.archive_counts()
    USER_RETIRE_LMS_CRITICAL.send(sender=AccountRetirementView, user=None)
    assert data.archive_counts() == counts
    assert "without a valid user" in caplog.text


# A failed erasure fails the platform's step (HTTP 500, run again), with only the user id in
# the log (P-32), and leaves nothing half-erased.
def test_a_failed_erasure_fails_the_step_and_logs_only_the_id(learners, monkeypatch, caplog):
    learner, _other = learners
    before = data.snapshot(learner.pk)

    from elearn_plugin.retirement import services

    real = services._erase

    def broken(user_id):
        real(user_id)
        raise RuntimeError(f"secret {learner.email} Zhang Wei")

    monkeypatch.setattr(services, "_erase", broken)
    with caplog.at_level(logging.INFO, logger="elearn_plugin"):
        assert _retire_view(learner) == 500

    assert data.snapshot(learner.pk) == before
    assert learner.email not in caplog.text and "Zhang Wei" not in caplog.text
    assert f"user {learner.pk}" in caplog.text and "RuntimeError" in caplog.text
    monkeypatch.undo()
    learner.refresh_from_db()
    assert _retire_view(learner) == 204  # the step run again
    assert Person.objects.get(user_id=learner.pk).name == RETIRED_NAME
