"""No personal data in logs, task arguments or stored error texts (P-32).

Representative flows run with every logger at DEBUG; no record (message, arguments or
traceback) may name the learner: username, email address or person name.
"""

from __future__ import annotations

import inspect
import json
import logging
import smtplib
import sys
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from celery import current_app
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from elearn_plugin.org import services as org
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.outbox import sender
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.services import enqueue
from elearn_plugin.standing import services as standing
from elearn_plugin.standing.filters import RefuseBlockedLogin
from elearn_plugin.tick import registry
from elearn_plugin.tick.services import run_tick
from elearn_plugin.video import services as video
from tests.unit.video.conftest import OFFICE, SUNDAY_EVENING, later

USERNAME = "wangxiaoming88"
EMAIL = "wang.xiaoming@corp.example"
FIRST, LAST = "Xiaoming", "Wangfamily"
PERSON_NAME = "王小明"
PASSWORD = "a-long-password-123"
SECRETS = (USERNAME, EMAIL, FIRST, LAST, PERSON_NAME, "wang.xiaoming")

_FORMATTER = logging.Formatter("%(name)s %(levelname)s %(message)s")


def _leaks(records) -> list[str]:
    """Every record that names the learner, formatted with its traceback."""
    found = []
    for record in records:
        text = _FORMATTER.format(record)
        if record.exc_info and not record.exc_text:
            text += _FORMATTER.formatException(record.exc_info)
        text += repr(getattr(record, "args", ""))
        lowered = text.lower()
        if any(secret.lower() in lowered for secret in SECRETS):
            found.append(text)
    return found


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def person(db, django_user_model):
    unit, _ = org.create_unit("p32-unit", "Unit")
    user = django_user_model.objects.create_user(
        username=USERNAME, email=EMAIL, password=PASSWORD, first_name=FIRST, last_name=LAST
    )
    Person.objects.create(user=user, employee_id="P32-1", name=PERSON_NAME, unit=unit)
    Membership.objects.create(user=user, unit=unit, valid_from=timezone.now())
    return user


def _assert_no_leak(caplog):
    assert caplog.records, "the flow logged nothing: the check would prove nothing"
    leaks = _leaks(caplog.records)
    assert not leaks, "personal data in logs:\n" + "\n".join(leaks)


# P-32, P-2: a provisioning file with bad rows and one with good rows
def test_provisioning_logs_no_personal_data(db, tmp_path, debug_logs):
    org.create_unit("hq", "Headquarters")
    org.upsert_job_role("clerk", "Clerk")
    header = "employee_id,username,name,email,unit,job_role\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + f"E1,{USERNAME},{PERSON_NAME},wang.xiaoming@,hq,clerk\n"
        + f"E2,{USERNAME},{FIRST} {LAST},{EMAIL},nowhere,clerk\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "elearn_provision",
            "--csv",
            str(bad),
            "--passwords-out",
            str(tmp_path / "pw-bad.csv"),
            stdout=StringIO(),
            stderr=err,
        )
    # The operator's report names lines and fields, never the values.
    assert "line 2" in err.getvalue().lower() or ":2" in err.getvalue()
    assert EMAIL not in err.getvalue() and PERSON_NAME not in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_text(header + f"E1,{USERNAME},{PERSON_NAME},{EMAIL},hq,clerk\n", encoding="utf-8")
    call_command(
        "elearn_provision",
        "--csv",
        str(good),
        "--passwords-out",
        str(tmp_path / "pw.csv"),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Person.objects.filter(name=PERSON_NAME).exists()
    logging.getLogger("elearn_plugin.tests").debug("provisioning flow done")
    _assert_no_leak(debug_logs)


# P-32, P-8: refused sign-ins and the end of a blocked session log ids only
def test_login_refusal_logs_no_personal_data(person, debug_logs):
    standing.impose(
        person.pk,
        "suspension",
        "sharing",
        "p32:login",
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
    )
    signed_in = Client()
    signed_in.force_login(person)
    client = Client()
    assert client.post("/login/", {"username": USERNAME, "password": "wrong"}).status_code == 400
    response = client.post("/login/", {"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 403
    assert client.post("/login/", {"username": "nobody", "password": "x"}).status_code == 400
    with pytest.raises(Exception) as refused:
        RefuseBlockedLogin(filter_type="login", running_pipeline=[]).run_filter(user=person)
    assert USERNAME not in str(refused.value) and EMAIL not in str(refused.value)
    # The session opened before the sanction is ended on the next request.
    assert signed_in.get(reverse("elearn:standing-me")).status_code == 403
    _assert_no_leak(debug_logs)


# P-32, P-17: refused watch reports (bad token, another learner's token, seeking ahead)
def test_refused_watch_reports_log_no_personal_data(person, make_user, debug_logs):
    spec = video.VideoSpec(
        block_key="block-v1:Org+C1+2026+type@elearn_video+block@p32",
        course_key="course-v1:Org+C1+2026",
        duration=60.0,
    )
    grant = video.start_session(person, spec, OFFICE, now=SUNDAY_EVENING)
    other = make_user()
    url = reverse("elearn:video-report")
    cases = [
        (person, {"token": "forged", "seq": 1, "start": 0, "end": 5}),
        (other, {"token": grant.token, "seq": 1, "start": 0, "end": 5}),
        (person, {"token": grant.token, "seq": 1, "start": 50, "end": 55}),
    ]
    for user, body in cases:
        client = Client()
        client.force_login(user)
        with freeze_time(later(SUNDAY_EVENING, 30)):
            response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code >= 400
        # P-32: the refusal shown to the other learner does not name the token's owner.
        assert not any(s.lower() in response.content.decode().lower() for s in SECRETS)
    with pytest.raises(video.WatchError):
        video.accept_report(other, {"token": grant.token, "seq": 1, "start": 0, "end": 5})
    _assert_no_leak(debug_logs)


# P-32, P-33: a mail server that quotes the address in its error
def test_outbox_failure_logs_and_stores_no_personal_data(person, settings, debug_logs):
    settings.ELEARN_OUTBOX_BACKEND = "django"
    with transaction.atomic():
        enqueue(
            "p32:quota",
            "quota_warning",
            person.pk,
            {"period": "2026-01", "completed": 1, "required": 2},
        )

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({EMAIL: (550, f"5.1.1 <{EMAIL}> unknown".encode())})

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", refuse):
        result = sender.send_pending()
    assert result.failed == 1
    row = OutboxMessage.objects.get(key="p32:quota")
    assert row.sent_at is None and row.last_error
    assert not any(s.lower() in row.last_error.lower() for s in SECRETS)
    _assert_no_leak(debug_logs)


@pytest.fixture
def failing_job(db):
    registry.discover_jobs()
    saved = dict(registry.JOBS)
    registry.JOBS.clear()

    @registry.register_job("p32-failing")
    def failing(now):
        raise ValueError(f"duplicate key (email)=({EMAIL}) for {PERSON_NAME}")

    yield "p32-failing"
    registry.JOBS.clear()
    registry.JOBS.update(saved)


# P-32, P-33: a job failing with a database error that quotes a value
def test_failed_job_logs_no_exception_text(failing_job, debug_logs):
    report = run_tick(only=[failing_job])
    assert not report.ok
    assert report.jobs[failing_job].error == "ValueError"
    assert any("p32-failing" in r.getMessage() for r in debug_logs.records)
    _assert_no_leak(debug_logs)


def test_leak_detector_finds_a_leak():  # P-32
    # The detector itself: a record carrying the email is found, in the args or a traceback.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s", (EMAIL,), None)
    assert _leaks([record])
    try:
        raise ValueError(PERSON_NAME)
    except ValueError:
        exc = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert _leaks([exc])


PERSONAL_PARAMETERS = {"username", "usernames", "email", "emails", "name", "full_name", "user"}


# P-32: Celery task arguments are ids, names of jobs and numbers only
def test_task_signatures_take_no_personal_data():
    import elearn_plugin.tasks  # noqa: F401  (registers the tasks)

    tasks = {n: t for n, t in current_app.tasks.items() if n.startswith("elearn.")}
    assert {"elearn.tick", "elearn.send_outbox", "elearn.ping"} <= set(tasks)
    for name, task in tasks.items():
        parameters = set(inspect.signature(task.run).parameters)
        assert not parameters & PERSONAL_PARAMETERS, f"{name} takes {parameters}"


_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
_PERSONAL_ATTRIBUTES = {"username", "email", "first_name", "last_name", "name", "full_name"}
_PERSONAL_CALLS = {"get_full_name", "get_username", "get_short_name"}


def _personal_log_arguments(tree) -> list[int]:
    import ast

    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LOG_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"log", "logger", "logging"}
        ):
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            for inner in ast.walk(argument):
                named = isinstance(inner, ast.Attribute) and inner.attr in _PERSONAL_ATTRIBUTES
                called = (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in _PERSONAL_CALLS
                )
                if named or called:
                    lines.append(node.lineno)
    return lines


# P-32: no logger call in the package is given a username, email or name
def test_no_log_call_is_given_personal_fields():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[3] / "elearn_plugin"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        lines = _personal_log_arguments(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{path.relative_to(package)}:{line}" for line in lines]
    assert not offenders, f"log calls given personal fields: {offenders}"
    # The scan itself finds such a call.
    assert _personal_log_arguments(ast.parse("log.info('x %s', user.email)")) == [1]
