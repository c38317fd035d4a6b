"""The sanction writer and the cached block reader."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from elearn_plugin.standing import blocks, services
from elearn_plugin.standing.models import Sanction
from elearn_plugin.standing.services import SanctionError, SanctionSpec

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def suspend(user, days=7, source="sharing:1", start=NOW):
    return services.impose(
        user.pk,
        "suspension",
        "sharing",
        source,
        reason="Account lent to a colleague",
        starts_at=start,
        ends_at=start + timedelta(days=days),
    )


def test_impose_twice_creates_once(make_user):  # P-4, P-33
    user = make_user()
    first, created = suspend(user)
    again, created_again = suspend(user, days=30)
    assert created and not created_again
    assert again.pk == first.pk
    assert again.ends_at == NOW + timedelta(days=7)  # the repeat changed nothing
    assert Sanction.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "code", "source", "ends", "fragment"),
    [
        ("ban", "sharing", "s", None, "kind"),
        ("warning", "Not A Slug", "s", None, "reason code"),
        ("warning", "sharing", "", None, "source"),
        ("suspension", "sharing", "s", None, "end"),
        ("suspension", "sharing", "s", NOW - timedelta(days=1), "end"),
        ("revocation", "illegal_upload", "s", NOW + timedelta(days=1), "until lifted"),
    ],
)
def test_impose_refuses_bad_input(make_user, kind, code, source, ends, fragment):  # P-8
    user = make_user()
    with pytest.raises(SanctionError, match=fragment):
        services.impose(user.pk, kind, code, source, starts_at=NOW, ends_at=ends)
    assert not Sanction.objects.exists()


def test_impose_refuses_unknown_user_and_naive_time(make_user):  # P-8
    with pytest.raises(SanctionError, match="No learner"):
        services.impose(999_999, "warning", "missed_tasks", "q:2026-03")
    user = make_user()
    with pytest.raises(SanctionError, match="time zone"):
        services.impose(
            user.pk, "warning", "missed_tasks", "q", starts_at=datetime(2026, 3, 1, 8, 0)
        )
    assert not Sanction.objects.exists()


def _spec(user, source, kind="warning", **kw):
    return SanctionSpec(user_id=user.pk, kind=kind, reason_code="missed_tasks", source=source, **kw)


def test_impose_bulk_counts_only_new_rows(make_user):  # P-21, P-33
    users = [make_user() for _ in range(5)]
    services.impose(users[0].pk, "warning", "missed_tasks", "quota:2026-02")
    specs = [_spec(u, "quota:2026-02") for u in users]
    specs.append(_spec(users[1], "quota:2026-02"))  # repeated in the input
    assert services.impose_bulk(specs) == 4
    assert services.impose_bulk(specs) == 0
    assert Sanction.objects.filter(source="quota:2026-02").count() == 5


def test_impose_bulk_chunks(make_user, monkeypatch):  # P-33
    monkeypatch.setattr(services, "CHUNK", 2)
    users = [make_user() for _ in range(5)]
    assert services.impose_bulk([_spec(u, "quota:2026-03") for u in users]) == 5
    assert services.impose_bulk([_spec(u, "quota:2026-03") for u in users[:3]]) == 0


def test_impose_bulk_is_all_or_nothing(make_user):  # P-33
    user = make_user()
    good = _spec(user, "quota:2026-04")
    with pytest.raises(SanctionError):
        services.impose_bulk([good, _spec(user, "x", kind="suspension")])  # no end
    with pytest.raises(SanctionError, match="No learner"):
        services.impose_bulk([good, SanctionSpec(424242, "warning", "missed_tasks", "q")])
    assert not Sanction.objects.exists()
    assert services.impose_bulk([]) == 0


def test_impose_bulk_invalidates_cached_block(make_user):  # P-22
    user = make_user()
    assert services.active_block(user.pk, NOW) is None  # caches "no block"
    services.impose_bulk(
        [
            _spec(
                user,
                "missed:2026-02",
                kind="suspension",
                starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(days=30),
            )
        ]
    )
    block = services.active_block(user.pk, NOW)
    assert block is not None and block.kind == "suspension"


def test_lift_records_actor_and_refuses_twice(make_user):  # P-8
    user, hr = make_user(), make_user(is_staff=True)
    sanction, _ = suspend(user, start=datetime.now(UTC) - timedelta(hours=1))
    assert services.active_block(user.pk) is not None
    with pytest.raises(SanctionError, match="reason"):
        services.lift(sanction.pk, actor=hr, reason="  ")
    lifted = services.lift(sanction.pk, actor=hr, reason="Sharing report was wrong")
    assert lifted.lifted_by_id == hr.pk and lifted.lifted_at is not None
    assert lifted.lift_reason == "Sharing report was wrong"
    assert services.active_block(user.pk) is None  # cache invalidated
    with pytest.raises(services.SanctionAlreadyLifted):
        services.lift(sanction.pk, actor=hr, reason="again")
    with pytest.raises(SanctionError, match="No sanction"):
        services.lift(987654, actor=hr, reason="x")


def test_reinstate_lifts_revocations_and_freezes_only(make_user):  # P-8, P-23
    user, hr = make_user(), make_user(is_staff=True)
    services.impose(user.pk, "revocation", "missed_tasks", "revoke:2026-03", starts_at=NOW)
    services.impose(user.pk, "freeze", "departure", "departure:1", starts_at=NOW)
    suspend(user, source="sharing:9")
    with pytest.raises(SanctionError, match="reason"):
        services.reinstate(user.pk, actor=hr, reason="")
    assert services.reinstate(user.pk, actor=hr, reason="Application approved") == 2
    assert services.reinstate(user.pk, actor=hr, reason="Application approved") == 0
    block = services.active_block(user.pk, NOW + timedelta(hours=1))
    assert block is not None and block.kind == "suspension"
    with pytest.raises(SanctionError, match="No learner"):
        services.reinstate(777_777, actor=hr, reason="x")


def test_most_severe_block_wins(make_user):  # P-8
    user = make_user()
    services.impose(user.pk, "warning", "missed_tasks", "quota:1", starts_at=NOW)
    assert services.active_block(user.pk, NOW) is None  # warnings never block
    suspend(user)
    assert services.active_block(user.pk, NOW).kind == "suspension"
    services.impose(user.pk, "revocation", "missed_tasks", "r:1", starts_at=NOW)
    assert services.active_block(user.pk, NOW).kind == "revocation"
    services.impose(user.pk, "freeze", "departure", "d:1", starts_at=NOW, reason="Left")
    block = services.active_block(user.pk, NOW)
    assert (block.kind, block.reason_code, block.reason, block.ends_at) == (
        "freeze",
        "departure",
        "Left",
        None,
    )


def test_expired_suspension_stops_blocking_even_when_cached(make_user):  # P-8
    user = make_user()
    suspend(user, days=7)
    with freeze_time(NOW + timedelta(days=1)):
        assert services.active_block(user.pk) is not None  # now cached
    with freeze_time(NOW + timedelta(days=7)):
        assert services.active_block(user.pk) is None


def test_future_suspension_starts_blocking_even_when_cached(make_user):  # P-8
    user = make_user()
    suspend(user, start=NOW + timedelta(days=2))
    with freeze_time(NOW):
        assert services.active_block(user.pk) is None  # "no block" cached
    with freeze_time(NOW + timedelta(days=2, seconds=1)):
        assert services.active_block(user.pk).kind == "suspension"


def test_block_is_read_from_cache(make_user, django_assert_num_queries):  # P-8
    user = make_user()
    suspend(user, start=datetime.now(UTC) - timedelta(minutes=1))
    assert services.active_block(user.pk) is not None
    with django_assert_num_queries(0):
        assert services.active_block(user.pk) is not None
    other = make_user()
    assert services.active_block(other.pk) is None
    with django_assert_num_queries(0):
        assert services.active_block(other.pk) is None


def test_overlapping_suspensions_block_until_the_last_ends(make_user):  # P-8, P-22
    user = make_user()
    suspend(user, days=7, source="sharing:1")
    suspend(user, days=30, source="missed:2026-02")
    assert services.active_block(user.pk, NOW).ends_at == NOW + timedelta(days=30)
    assert services.active_block(user.pk, NOW + timedelta(days=8)) is not None


def test_blocked_user_ids(make_user):  # P-8
    a, b, c = make_user(), make_user(), make_user()
    suspend(a)
    services.impose(b.pk, "warning", "missed_tasks", "q", starts_at=NOW)
    assert services.blocked_user_ids([a.pk, b.pk, c.pk], NOW + timedelta(hours=1)) == {a.pk}


# P-8, P-4: a reader that computed "not blocked" from the rows before the sanction's commit
# stores its answer after the post-commit invalidation; the next reader must not take it.
def test_a_stale_not_blocked_answer_cached_after_the_commit_is_never_served(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.helpers.cache_race import StaleReaderCache

    user = make_user()
    later = NOW + timedelta(hours=1)

    def writer():
        with django_capture_on_commit_callbacks(execute=True):
            suspend(user)

    monkeypatch.setattr(blocks, "cache", StaleReaderCache(cache, writer))
    monkeypatch.setattr(blocks, "_compute", lambda user_id, now: (None, None))
    assert services.active_block(user.pk, later) is None  # the stale reader's own answer
    monkeypatch.undo()
    block = services.active_block(user.pk, later)
    assert block is not None and block.kind == "suspension"


# P-8: lifting races the same way: a stale "blocked" answer is not served after the lift.
def test_a_stale_blocked_answer_cached_after_a_lift_is_never_served(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.helpers.cache_race import StaleReaderCache

    user = make_user()
    sanction, _ = suspend(user)
    later = NOW + timedelta(hours=1)
    stale = blocks._compute(user.pk, later)

    def writer():
        with django_capture_on_commit_callbacks(execute=True):
            services.lift(sanction.pk, actor=None, reason="HR decision")

    monkeypatch.setattr(blocks, "cache", StaleReaderCache(cache, writer))
    monkeypatch.setattr(blocks, "_compute", lambda user_id, now: stale)
    assert services.active_block(user.pk, later) is not None
    monkeypatch.undo()
    assert services.active_block(user.pk, later) is None


# P-8, P-33: the bulk form of lift: one statement, already-lifted rows untouched, reason kept
def test_lift_bulk_lifts_the_open_ones_once(make_user, django_assert_max_num_queries):
    users = [make_user() for _ in range(5)]
    sanctions = [suspend(u, source=f"sharing:{u.pk}")[0] for u in users]
    services.lift(sanctions[0].pk, actor=None, reason="earlier")
    assert all(services.active_block(u.pk, NOW + timedelta(hours=1)) for u in users[1:])
    hr = make_user(is_staff=True)
    ids = [s.pk for s in sanctions] + [10**9]
    # Savepoint, SELECT ... FOR UPDATE, UPDATE, the audit rows' INSERT, release: per chunk.
    with django_assert_max_num_queries(5):
        assert services.lift_bulk(ids, actor=hr, reason="  Appeal upheld ") == 4
    assert services.lift_bulk(ids, actor=hr, reason="again") == 0
    rows = {s.pk: s for s in Sanction.objects.filter(pk__in=ids)}
    assert rows[sanctions[0].pk].lift_reason == "earlier"
    assert {rows[s.pk].lift_reason for s in sanctions[1:]} == {"Appeal upheld"}
    assert {rows[s.pk].lifted_by_id for s in sanctions[1:]} == {hr.pk}
    assert not any(services.active_block(u.pk, NOW + timedelta(hours=1)) for u in users)
    with pytest.raises(SanctionError):
        services.lift_bulk(ids, actor=hr, reason=" ")
    assert services.lift_bulk([], actor=hr, reason="x") == 0
