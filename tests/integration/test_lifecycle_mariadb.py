"""The account lifecycle on MariaDB, the platform's database: a departure of hundreds in one
batch, and two re-hires racing for the last free seat of a pool, of which only one may win
(P-2, P-7, P-33)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from elearn_plugin.audit import acting_as
from elearn_plugin.lifecycle import services as lifecycle
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.seats.services import seat_report, set_seats
from elearn_plugin.standing.models import Sanction

JOINED = datetime(2026, 1, 5, 1, tzinfo=UTC)
LEFT = datetime(2026, 6, 30, 16, tzinfo=UTC)


def _people(make_user, unit, count: int) -> list[int]:
    users = [make_user() for _ in range(count)]
    Person.objects.bulk_create(
        [Person(user=u, employee_id=f"M{u.id}", name="x", unit=unit) for u in users]
    )
    org.set_units_bulk([(u.id, unit.id) for u in users], JOINED)
    return [u.id for u in users]


# P-7, P-33: three hundred leave in one batch; a repeat changes nothing
def test_a_batch_of_departures_on_mariadb(db, make_user):
    unit, _ = org.create_unit("plant", "Plant")
    ids = _people(make_user, unit, 300)
    assert len(lifecycle.depart_bulk(ids, LEFT)) == 300
    assert Person.objects.filter(status=Person.DEPARTED).count() == 300
    assert Sanction.objects.filter(kind="freeze", user_id__in=ids).count() == 300
    assert lifecycle.depart_bulk(ids, LEFT + timedelta(days=1)) == []
    assert Sanction.objects.count() == 300


@pytest.mark.parametrize("attempt", range(3))
def test_two_rehires_race_for_the_last_free_seat(transactional_db, make_user, attempt):
    # P-2: the pool holds one more person; two returns at once must not both get in
    unit, _ = org.create_unit(f"shop{attempt}", "Shop")
    a, b = _people(make_user, unit, 2)
    with acting_as("job:seats_test"):
        lifecycle.depart_bulk([a, b], LEFT)
        set_seats(unit.id, 1, actor=None)
    barrier, results = threading.Barrier(2), {}

    def rehire(user_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with acting_as("job:seats_test"):
                results[user_id] = lifecycle.rehire_bulk(
                    [(user_id, unit.id)], LEFT + timedelta(days=10)
                )
        except lifecycle.LifecycleError as exc:
            results[user_id] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=rehire, args=(uid,)) for uid in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [uid for uid, result in results.items() if result == [uid]]
    refused = [r for r in results.values() if isinstance(r, lifecycle.LifecycleError)]
    assert len(won) == 1 and len(refused) == 1, results
    (line,) = [line for line in seat_report() if line.unit_code == unit.code]
    assert (line.used, line.free) == (1, 0)
