"""Reinstatement on MariaDB, the platform's database: one waiting application per learner
holds though MySQL has no partial unique index, also when two links are used at once; and
the sign-in evidence of one pair of sessions is one row (P-4, P-8)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from elearn_plugin.outbox.sender import send_pending
from elearn_plugin.reinstatement import services
from elearn_plugin.reinstatement.models import ReinstatementApplication
from elearn_plugin.sharing import places
from elearn_plugin.sharing.models import SessionOverlap
from elearn_plugin.standing import services as standing

LINK = "http://lms.test/elearn/reinstatement/apply/{}/"


def _revoked(make_user):
    user = make_user()
    standing.impose(
        user.pk,
        "revocation",
        "task_months",
        f"it:{user.pk}",
        starts_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    return user


def _tokens(user, count: int) -> list[str]:
    for _ in range(count):
        assert services.request_link(user.email, link_url=LINK.format)
    mail.outbox.clear()
    send_pending(limit=50)
    bodies = [m.body for m in mail.outbox if "/apply/" in m.body]
    return [body.split("/apply/")[1].split("/")[0] for body in bodies]


def test_decided_applications_do_not_collide(db, make_user):  # P-8
    assert connection.vendor == "mysql"
    user = _revoked(make_user)
    for n in range(3):
        (token,) = _tokens(user, 1)
        application = services.apply(token, f"Attempt {n}")
        services.reject(application.pk, actor=None, reason="Not yet.")
    assert ReinstatementApplication.objects.filter(user=user, pending_user=None).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_links_used_at_once_make_one_application(make_user):  # P-8
    user = _revoked(make_user)
    tokens = _tokens(user, 2)
    assert len(tokens) == 2
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def use(token: str) -> None:
        barrier.wait()
        try:
            services.apply(token, "At once.")
            outcomes.append("applied")
        except services.ReinstatementError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=use, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["applied", "refused"]
    assert ReinstatementApplication.objects.filter(user=user).count() == 1


def test_one_pair_of_sessions_is_one_row(db, make_user):  # P-4
    user = make_user()
    t0 = datetime(2026, 3, 2, 1, tzinfo=UTC)
    for minute in range(0, 4, 1):
        places.note_place(user.pk, "a", "10.0.0.1", t0 + timedelta(minutes=minute, seconds=0))
        places.note_place(user.pk, "b", "10.0.0.2", t0 + timedelta(minutes=minute, seconds=30))
    assert SessionOverlap.objects.filter(user=user).count() == 1
