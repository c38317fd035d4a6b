"""Learning time: keyed activities, classification by the policy calendar, permitted slots,
classroom sessions and grouped totals (P-18, P-20, P-24, P-26, P-27, P-33).

The default policy is used: Asia/Shanghai, working hours 08:30-12:00 and 13:30-17:30, a
learning window on Wednesdays 16:30-17:30 (08:30-09:30 UTC).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from elearn_plugin.learning import services, slots
from elearn_plugin.learning.models import ClassroomSession, LearningActivity, PermittedSlot
from elearn_plugin.learning.services import (
    ActivitySpec,
    ClassroomSessionSpec,
    LearningDataError,
)
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Membership, Person

WED_WINDOW = (datetime(2026, 1, 7, 8, 40, tzinfo=UTC), datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
WED_EVENING = (datetime(2026, 1, 7, 12, 0, tzinfo=UTC), datetime(2026, 1, 7, 13, 0, tzinfo=UTC))
TUE_MORNING = (datetime(2026, 1, 6, 2, 0, tzinfo=UTC), datetime(2026, 1, 6, 2, 30, tzinfo=UTC))
JAN = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _video(user, key, span, **kwargs):
    return ActivitySpec(
        user_id=user.pk,
        kind="video",
        source_key=key,
        started_at=span[0],
        ended_at=span[1],
        course_key="course-v1:Org+C1+2026",
        **kwargs,
    )


@pytest.fixture
def units(db):
    a, _ = org.create_unit("dept-a", "Dept A")
    b, _ = org.create_unit("dept-b", "Dept B")
    return a, b


def _member(user, unit, since):
    Person.objects.create(user=user, employee_id=f"E{user.pk}", name="Learner", unit=unit)
    Membership.objects.create(user=user, unit=unit, valid_from=since)


@pytest.mark.parametrize(
    ("span", "expected"),
    [(WED_WINDOW, "window"), (WED_EVENING, "off_hours"), (TUE_MORNING, "unpermitted")],
)
def test_classification_is_computed_and_stored(make_user, span, expected):
    # P-18: learning in working time only in the windows
    user = make_user()
    assert services.record_activity(_video(user, "watch:1", span)) is True
    activity = LearningActivity.objects.get()
    assert activity.classification == expected
    assert activity.seconds == int((span[1] - span[0]).total_seconds())


def test_a_given_classification_is_kept(make_user):
    user = make_user()
    services.record_activity(_video(user, "watch:1", TUE_MORNING, classification="off_hours"))
    assert LearningActivity.objects.get().classification == "off_hours"


def test_a_permitted_slot_makes_working_time_allowed(make_user):
    # P-18: other working time needs the training contact's permission
    user, contact = make_user(), make_user()
    slot = services.grant_slot(
        user.pk,
        TUE_MORNING[0] - timedelta(minutes=30),
        TUE_MORNING[1] + timedelta(minutes=30),
        actor=contact,
        reason="exam preparation",
    )
    assert slot.granted_by == contact
    services.record_activity(_video(user, "watch:1", TUE_MORNING))
    assert LearningActivity.objects.get().classification == "window"
    other = make_user()
    services.record_activity(_video(other, "watch:2", TUE_MORNING))
    assert LearningActivity.objects.get(source_key="watch:2").classification == "unpermitted"


def test_permitted_slots_are_cached_and_a_grant_refreshes_them(
    make_user, django_assert_num_queries
):
    # P-18
    user, contact = make_user(), make_user()
    start, end = TUE_MORNING
    assert services.permitted_slots(user.pk, *JAN) == []
    with django_assert_num_queries(0):
        assert services.permitted_slots(user.pk, *JAN) == []
    services.grant_slot(user.pk, start, end, actor=contact, reason="r")
    assert services.permitted_slots(user.pk, *JAN) == [(start, end)]
    # granting the same slot again returns the first grant
    again = services.grant_slot(user.pk, start, end, actor=contact, reason="other")
    assert again.reason == "r"
    assert PermittedSlot.objects.count() == 1
    assert services.permitted_slots(user.pk, end, end + timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ends_at": TUE_MORNING[0]}, "after"),
        ({"reason": "  "}, "reason"),
        ({"actor": None}, "known user"),
        ({"user_id": 999999}, "does not exist"),
        ({"ends_at": TUE_MORNING[0] + timedelta(days=40)}, "at most"),
    ],
)
def test_grant_slot_refuses_bad_input(make_user, kwargs, message):
    user, contact = make_user(), make_user()
    args = {
        "user_id": user.pk,
        "starts_at": TUE_MORNING[0],
        "ends_at": TUE_MORNING[1],
        "actor": contact,
        "reason": "r",
    }
    args.update(kwargs)
    user_id = args.pop("user_id")
    with pytest.raises(LearningDataError, match=message):
        services.grant_slot(user_id, **args)
    assert PermittedSlot.objects.count() == 0


def test_bulk_record_is_idempotent_and_counts_new_rows(make_user):
    # P-33: a replayed watch report counts once
    user = make_user()
    specs = [_video(user, "watch:1", WED_WINDOW), _video(user, "watch:2", WED_EVENING)]
    assert services.record_activities_bulk(specs) == 2
    assert services.record_activities_bulk([*specs, specs[0]]) == 0
    assert services.record_activity(specs[0]) is False
    assert LearningActivity.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seconds": 3600}, "exceed"),
        ({"seconds": 0}, "positive"),
        ({"ended_at": WED_WINDOW[0]}, "after"),
        ({"started_at": datetime(2026, 1, 7, 8, 40)}, "timezone-aware"),
        ({"kind": "reading"}, "kind"),
        ({"classification": "maybe"}, "classification"),
        ({"source_key": ""}, "source_key"),
        ({"user_id": 999999}, "unknown user"),
        ({"unit_id": 999999}, "unknown unit"),
        ({"ended_at": WED_WINDOW[0] + timedelta(days=3)}, "at most"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_written(make_user, change, message):
    user = make_user()
    good = _video(user, "watch:ok", WED_WINDOW)
    fields = {**good.__dict__, "source_key": "watch:bad", **change}
    with pytest.raises(LearningDataError, match=message):
        services.record_activities_bulk([good, ActivitySpec(**fields)])
    assert LearningActivity.objects.count() == 0


def test_unit_is_the_learners_unit_when_the_activity_started(make_user, units):
    # P-6, P-24: a transfer moves no past hours between units
    a, b = units
    user = make_user()
    _member(user, a, datetime(2025, 12, 1, tzinfo=UTC))
    org.set_unit(user.pk, b.pk, datetime(2026, 1, 7, 10, 0, tzinfo=UTC))
    services.record_activities_bulk(
        [_video(user, "before", WED_WINDOW), _video(user, "after", WED_EVENING)]
    )
    assert LearningActivity.objects.get(source_key="before").unit_id == a.pk
    assert LearningActivity.objects.get(source_key="after").unit_id == b.pk
    outsider = make_user()
    services.record_activity(_video(outsider, "outsider", WED_WINDOW))
    assert LearningActivity.objects.get(source_key="outsider").unit_id is None


def _session(**kwargs):
    fields = {
        "session_key": "hr-2026-001",
        "title": "Safety induction",
        "instructor_name": "Instructor Wang",
        "started_at": datetime(2026, 1, 6, 6, 0, tzinfo=UTC),  # Tuesday 14:00 local
        "duration_seconds": 5400,
        "rating": Decimal("4.5"),
    }
    fields.update(kwargs)
    return ClassroomSessionSpec(**fields)


def test_classroom_session_is_idempotent_and_counts_as_learning_time(make_user, units):
    # P-27: instructor archive; attendance counts toward the unit's hours (P-24)
    a, _ = units
    x, y, z = make_user(), make_user(), make_user()
    for user in (x, y, z):
        _member(user, a, datetime(2025, 12, 1, tzinfo=UTC))
    session = services.record_classroom_session(_session(unit_id=a.pk), [x.pk, y.pk])
    again = services.record_classroom_session(_session(unit_id=a.pk), [x.pk, y.pk])
    assert again.pk == session.pk
    assert ClassroomSession.objects.count() == 1
    rows = LearningActivity.objects.filter(kind="classroom")
    assert sorted(rows.values_list("source_key", flat=True)) == [
        f"classroom:{session.pk}:{x.pk}",
        f"classroom:{session.pk}:{y.pk}",
    ]
    # working time, but the organised session itself is permitted
    assert set(rows.values_list("classification", flat=True)) == {"window"}
    assert set(rows.values_list("seconds", flat=True)) == {5400}
    services.record_classroom_session(_session(), [z.pk])  # a late roll-call adds only z
    assert LearningActivity.objects.filter(kind="classroom").count() == 3
    assert session.rating == Decimal("4.5")
    assert session.instructor_name == "Instructor Wang"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"session_key": ""}, "session_key"),
        ({"title": ""}, "title"),
        ({"instructor_name": ""}, "instructor_name"),
        ({"duration_seconds": 0}, "duration"),
        ({"rating": Decimal("6")}, "rating"),
        ({"rating": 4.5}, "float"),
        ({"unit_id": 999999}, "does not exist"),
        ({"started_at": datetime(2026, 1, 6, 6, 0)}, "timezone-aware"),
    ],
)
def test_classroom_session_refuses_bad_input(make_user, change, message):
    user = make_user()
    with pytest.raises(LearningDataError, match=message):
        services.record_classroom_session(_session(**change), [user.pk])
    assert ClassroomSession.objects.count() == 0
    assert LearningActivity.objects.count() == 0


def test_classroom_session_refuses_unknown_attendees(make_user):
    user = make_user()
    with pytest.raises(LearningDataError, match="unknown attendee"):
        services.record_classroom_session(_session(), [user.pk, 999999])
    assert ClassroomSession.objects.count() == 0


def test_totals_group_seconds_by_classification_and_kind(
    make_user, units, django_assert_num_queries
):
    # P-20, P-24, P-26: learning hours recorded and summed per learner and per unit
    a, _ = units
    x, y = make_user(), make_user()
    _member(x, a, datetime(2025, 12, 1, tzinfo=UTC))
    services.record_activities_bulk(
        [
            _video(x, "x1", WED_WINDOW),  # 1200 s window
            _video(x, "x2", WED_EVENING),  # 3600 s off hours
            _video(y, "y1", TUE_MORNING),  # 1800 s unpermitted, no unit
            _video(x, "feb", (JAN[1], JAN[1] + timedelta(minutes=5))),  # outside the range
        ]
    )
    with django_assert_num_queries(1):
        learners = services.learner_totals(*JAN)
    assert learners[x.pk]["window"] == 1200
    assert learners[x.pk]["off_hours"] == 3600
    assert learners[x.pk]["video"] == 4800
    assert learners[x.pk]["total"] == 4800
    assert learners[y.pk]["unpermitted"] == 1800
    assert services.learner_totals(*JAN, user_ids=[y.pk]).keys() == {y.pk}
    with django_assert_num_queries(1):
        per_unit = services.unit_totals(*JAN)
    assert per_unit == {
        a.pk: {
            "window": 1200,
            "off_hours": 3600,
            "unpermitted": 0,
            "video": 4800,
            "classroom": 0,
            "other": 0,
            "total": 4800,
        }
    }
    with pytest.raises(LearningDataError):
        services.unit_totals(JAN[1], JAN[0])


def test_without_a_valid_policy_time_is_not_judged_and_nothing_is_written(
    make_user, settings, tmp_path
):
    # P-18: never classify against guessed defaults
    from elearn_plugin.policy.runtime import reset_policy_cache
    from elearn_plugin.policy.schema import PolicyNotConfigured

    settings.ELEARN_POLICY_FILE = str(tmp_path / "missing.yaml")
    reset_policy_cache()
    user = make_user()
    with pytest.raises(PolicyNotConfigured):
        services.record_activities_bulk(
            [_video(user, "a", WED_WINDOW, classification="window"), _video(user, "b", WED_EVENING)]
        )
    assert LearningActivity.objects.count() == 0
    reset_policy_cache()


# P-18: a reader that loaded the slots before a grant's commit stores them after the
# post-commit invalidation; the next reader must see the grant, not the stale list.
def test_a_stale_slot_list_cached_after_a_grant_is_never_served(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.helpers.cache_race import StaleReaderCache

    user, contact = make_user(), make_user()
    start, end = TUE_MORNING

    def writer():
        with django_capture_on_commit_callbacks(execute=True):
            services.grant_slot(user.pk, start, end, actor=contact, reason="r")

    monkeypatch.setattr(slots, "cache", StaleReaderCache(cache, writer))
    # The reader's query ran before the writer's commit: it found no slot.
    assert services.permitted_slots(user.pk, *JAN) == []
    monkeypatch.undo()
    assert services.permitted_slots(user.pk, *JAN) == [(start, end)]
