"""A revoked learner, and the link they were mailed."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache

from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.sender import send_pending
from elearn_plugin.standing import services as standing

PASSWORD = "reinstate-pass-1234"
LINK = re.compile(r"http://testserver/elearn/reinstatement/apply/([\w-]+)/")


def close(user, kind="revocation"):
    codes = {"revocation": "task_months", "freeze": "departure", "suspension": "sharing"}
    now = datetime.now(UTC)
    return standing.impose(
        user.pk,
        kind,
        codes[kind],
        f"test:{kind}:{user.pk}",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=7) if kind == "suspension" else None,
    )[0]


def mailed_token(user) -> str:
    """Send the outbox and read the token from the learner's link e-mail."""
    mail.outbox.clear()
    send_pending(limit=50)
    bodies = [m.body for m in mail.outbox if user.email in m.to]
    tokens = [LINK.search(body).group(1) for body in bodies if LINK.search(body)]
    assert tokens, "no reinstatement link was mailed"
    return tokens[-1]


def links_queued(user) -> int:
    return OutboxMessage.objects.filter(user_id=user.pk, message_type="reinstatement_link").count()


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def revoked(make_user):
    user = make_user(password=PASSWORD)
    close(user)
    return user
