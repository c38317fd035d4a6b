"""Month verdicts: quota (P-16, P-21), missed tasks (P-22), revocation (P-23), edge cases."""

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn_plugin.rules.month_verdicts import (
    BLOCKED_ALL_MONTH,
    COUNT,
    EXEMPT,
    FULL,
    HIRED_MID_MONTH,
    LEFT_MID_MONTH,
    MISSED_TASKS_SUSPENSION,
    NO_REQUIRED_ASSIGNABLE,
    NOT_EMPLOYED,
    PRORATE,
    QUOTA_WARNING,
    REVOCATION,
    Interval,
    LearnerMonth,
    MissedTask,
    MonthRules,
    Task,
    effective_due,
    judge,
    judge_many,
    merge,
    missed_tasks,
    months_with_a_miss,
)
from elearn_plugin.rules.periods import month_of, months_back, next_month, period_from_label

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
TICK = timedelta(microseconds=1)
RULES = MonthRules()
JAN = period_from_label("2026-01", SHANGHAI)
CLOSED = datetime(2026, 2, 1, 1, 0, tzinfo=UTC)


def sh(day: int, hour: int = 0, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    """A Shanghai wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


WHOLE_JAN = (Interval(sh(1), sh(1, month=2)),)


def learner(**kwargs) -> LearnerMonth:
    kwargs.setdefault("user_id", 7)
    kwargs.setdefault("active", WHOLE_JAN)
    return LearnerMonth(**kwargs)


def done(n: int, period=JAN) -> dict:
    """`n` required courses completed one hour after the month starts."""
    return {f"course-v1:Org+R{i}+2026": period.start_utc + timedelta(hours=1) for i in range(n)}


def missing(n: int, due: datetime) -> tuple[Task, ...]:
    return tuple(Task(f"course-v1:Org+T{i}+2026", due) for i in range(n))


def verdict(facts: LearnerMonth, rules: MonthRules = RULES, period=JAN, closed=CLOSED):
    return judge(facts, rules, period, closed)


def quota_of(rules: MonthRules, period=JAN, **kwargs) -> tuple:
    v = verdict(learner(**kwargs), rules, period)
    return v.quota_required, v.exempt


# P-16, P-21: fewer completions than the quota → a warning; enough → none.
def test_quota_not_met_warns_and_met_does_not():
    short = verdict(learner(required_completed_at=done(1)))
    assert (short.quota_required, short.required_completed, short.quota_met) == (2, 1, False)
    assert short.consequences == (QUOTA_WARNING,)
    met = verdict(learner(required_completed_at=done(2)))
    assert (met.quota_met, met.consequences, met.exempt) == (True, (), None)
    assert verdict(learner(required_completed_at=done(5))).quota_met is True


# P-16: only completions inside the month count (half-open, local calendar).
def test_completions_outside_the_month_do_not_count():
    keys = {
        "a": JAN.start_utc - TICK,
        "b": JAN.start_utc,
        "c": JAN.end_utc - TICK,
        "d": JAN.end_utc,
    }
    v = verdict(learner(required_completed_at=keys))
    assert v.required_completed == 2
    assert [key for key, _ in v.completions] == ["b", "c"]


# P-16: Jan 31 and Feb 29 month ends, 23:59 local vs UTC in Shanghai.
@pytest.mark.parametrize(("label", "last_day"), [("2026-01", 31), ("2028-02", 29)])
def test_completion_at_2359_local_on_the_last_day_counts_in_that_month(label, last_day):
    period = period_from_label(label, SHANGHAI)
    year, month = int(label[:4]), int(label[5:])
    at_2359 = sh(last_day, 23, 59, month=month, year=year)
    # 23:59 in Shanghai is 15:59 UTC of the same day; 16:00 UTC is already next month.
    assert at_2359.hour == 15
    v = verdict(learner(required_completed_at={"a": at_2359}, active=()), period=period)
    assert v.required_completed == 1
    after = at_2359 + timedelta(minutes=1)
    v = verdict(learner(required_completed_at={"a": after}, active=()), period=period)
    assert v.required_completed == 0
    assert month_of(after, SHANGHAI).label != label


# P-22: a task due 23:59 local on the last day is judged in that month (Shanghai).
@pytest.mark.parametrize(("label", "last_day"), [("2026-01", 31), ("2028-02", 29)])
def test_task_due_2359_local_on_the_last_day_is_missed_in_that_month(label, last_day):
    period = period_from_label(label, SHANGHAI)
    year, month = int(label[:4]), int(label[5:])
    due = sh(last_day, 23, 59, month=month, year=year)
    active = (Interval(period.start_utc - timedelta(days=40), period.end_utc + timedelta(days=40)),)
    v = verdict(learner(tasks=missing(1, due), active=active), period=period)
    assert v.missed == (MissedTask("course-v1:Org+T0+2026", due, due),)
    following = month_of(period.end_utc, SHANGHAI)
    assert verdict(learner(tasks=missing(1, due), active=active), period=following).missed == ()
    # "By the end of the last day" is stored as the next local midnight: still this month.
    midnight = due + timedelta(minutes=1)
    assert midnight == period.end_utc
    assert (
        len(verdict(learner(tasks=missing(1, midnight), active=active), period=period).missed) == 1
    )
    assert (
        verdict(learner(tasks=missing(1, midnight), active=active), period=following).missed == ()
    )
    # Due at 00:01 on the 1st belongs to the next month.
    after = midnight + timedelta(minutes=1)
    assert verdict(learner(tasks=missing(1, after), active=active), period=period).missed == ()
    assert (
        len(verdict(learner(tasks=missing(1, after), active=active), period=following).missed) == 1
    )


# P-22: in a DST zone the month still ends at local midnight; 23:59 local is in the month.
@pytest.mark.parametrize(
    ("label", "hours", "utc_hour"), [("2026-03", 743, 21), ("2026-10", 745, 22)]
)
def test_berlin_months_with_a_dst_change(label, hours, utc_hour):
    period = period_from_label(label, BERLIN)
    assert period.end_utc - period.start_utc == timedelta(hours=hours)
    due = datetime(2026, int(label[5:]), 31, 23, 59, tzinfo=BERLIN).astimezone(UTC)
    assert due.hour == utc_hour
    active = (Interval(period.start_utc, period.end_utc),)
    v = verdict(learner(tasks=missing(1, due), active=active), period=period)
    assert len(v.missed) == 1
    assert (
        verdict(
            learner(tasks=missing(1, due + timedelta(minutes=2)), active=active), period=period
        ).missed
        == ()
    )


# P-16: prorating counts elapsed UTC time, so the 23-hour DST day counts 23 hours.
def test_prorating_in_berlin_counts_the_short_dst_day_as_23_hours():
    march = period_from_label("2026-03", BERLIN)
    hired = datetime(2026, 3, 29, tzinfo=BERLIN).astimezone(UTC)  # the day clocks go forward
    rules = MonthRules(quota=743, hired_mid_month=PRORATE)  # one quota unit per hour of March
    active = (Interval(hired, march.end_utc),)
    assert quota_of(rules, march, active=active) == (23 + 24 + 24, None)


# P-16: hired mid-month under each choice (ceil(quota × counted / month)).
@pytest.mark.parametrize(
    ("choice", "expected"),
    [(PRORATE, (16, None)), (FULL, (31, None)), (EXEMPT, (None, HIRED_MID_MONTH))],
)
def test_hired_mid_month(choice, expected):
    rules = MonthRules(quota=31, hired_mid_month=choice, left_mid_month=EXEMPT)
    active = (Interval(sh(16), sh(1, month=3)),)  # 16 of 31 days, employment goes on
    assert quota_of(rules, active=active) == expected


# P-16: ceil — any counted time leaves at least one required course.
def test_prorated_quota_rounds_up():
    rules = MonthRules(quota=2)
    assert quota_of(rules, active=(Interval(sh(31, 23), sh(1, month=2)),)) == (1, None)
    assert quota_of(MonthRules(quota=10), active=(Interval(sh(16), sh(1, month=2)),)) == (6, None)


# P-16: left mid-month under each choice.
@pytest.mark.parametrize(
    ("choice", "expected"),
    [(PRORATE, (20, None)), (FULL, (31, None)), (EXEMPT, (None, LEFT_MID_MONTH))],
)
def test_left_mid_month(choice, expected):
    rules = MonthRules(quota=31, left_mid_month=choice, hired_mid_month=EXEMPT)
    active = (Interval(sh(1, month=12, year=2025), sh(21)),)
    assert quota_of(rules, active=active) == expected


# P-16: a gap between two memberships follows the left_mid_month choice.
@pytest.mark.parametrize(
    ("choice", "expected"),
    [(PRORATE, (21, None)), (FULL, (31, None)), (EXEMPT, (None, LEFT_MID_MONTH))],
)
def test_gap_between_memberships(choice, expected):
    rules = MonthRules(quota=31, left_mid_month=choice, hired_mid_month=EXEMPT)
    active = (Interval(sh(1), sh(11)), Interval(sh(21), sh(1, month=2)))
    assert quota_of(rules, active=active) == expected


# P-16: a transfer (memberships that touch) or overlapping intervals is no gap.
def test_transfer_mid_month_is_not_a_leave():
    rules = MonthRules(quota=31, hired_mid_month=EXEMPT, left_mid_month=EXEMPT)
    touching = (Interval(sh(1), sh(15, 9)), Interval(sh(15, 9), sh(1, month=2)))
    assert quota_of(rules, active=touching) == (31, None)
    overlapping = (Interval(sh(1), sh(20)), Interval(sh(10), sh(1, month=2)))
    assert quota_of(rules, active=overlapping) == (31, None)


# P-16: hired and left in the same month, each by its own choice.
def test_hired_and_left_in_one_month():
    active = (Interval(sh(11), sh(21)),)
    both = MonthRules(quota=31, hired_mid_month=PRORATE, left_mid_month=PRORATE)
    assert quota_of(both, active=active) == (10, None)
    assert quota_of(replace(both, hired_mid_month=FULL), active=active) == (20, None)
    assert quota_of(replace(both, left_mid_month=FULL), active=active) == (21, None)
    assert quota_of(replace(both, left_mid_month=EXEMPT), active=active) == (None, LEFT_MID_MONTH)
    assert quota_of(replace(both, hired_mid_month=EXEMPT), active=active) == (None, HIRED_MID_MONTH)


# P-16: no membership in the month → exempt, nothing judged.
def test_not_employed_is_exempt_and_judged_for_nothing():
    v = verdict(learner(active=(), tasks=missing(5, sh(10))))
    assert (v.exempt, v.quota_required, v.quota_met, v.missed, v.consequences) == (
        NOT_EMPLOYED,
        None,
        None,
        (),
        (),
    )
    assert verdict(learner(active=(Interval(sh(5), sh(5)),))).exempt == NOT_EMPLOYED


# P-16: blocked days reduce the prorated quota (exempt) or not (count).
def test_blocked_days():
    blocked = (Interval(sh(11), sh(21)),)  # 10 days suspended
    assert quota_of(MonthRules(quota=31), blocked=blocked) == (21, None)
    assert quota_of(MonthRules(quota=31, blocked_days=COUNT), blocked=blocked) == (31, None)
    # Overlapping blocks are not subtracted twice; blocks outside the month not at all.
    twice = blocked + (Interval(sh(15), sh(21)), Interval(sh(1, month=2), sh(9, month=2)))
    assert quota_of(MonthRules(quota=31), blocked=twice) == (21, None)


# P-16: blocked time before the hire is not subtracted again.
def test_blocked_before_the_hire_counts_once():
    rules = MonthRules(quota=31, hired_mid_month=PRORATE)
    active = (Interval(sh(11), sh(1, month=2)),)
    assert quota_of(rules, active=active, blocked=(Interval(sh(1), sh(21)),)) == (11, None)


# P-16: blocked all the active time → exempt; with "count" the quota stands.
def test_blocked_all_month():
    blocked = (Interval(sh(20, month=12, year=2025), sh(3, month=2)),)
    v = verdict(learner(blocked=blocked, required_completed_at={}))
    assert (v.exempt, v.quota_met, v.consequences) == (BLOCKED_ALL_MONTH, None, ())
    counted = verdict(learner(blocked=blocked), MonthRules(blocked_days=COUNT))
    assert (counted.exempt, counted.consequences) == (None, (QUOTA_WARNING,))


# P-16: the quota never exceeds the required courses the learner could complete.
def test_fewer_assignable_required_courses_than_the_quota():
    one = verdict(learner(assignable_required=1, required_completed_at=done(1)))
    assert (one.quota_required, one.quota_met, one.consequences) == (1, True, ())
    none = verdict(learner(assignable_required=0))
    assert (none.exempt, none.quota_met, none.consequences) == (NO_REQUIRED_ASSIGNABLE, None, ())
    assert verdict(learner(assignable_required=5)).quota_required == 2
    assert verdict(learner(assignable_required=None)).quota_required == 2
    uncapped = MonthRules(quota_capped_by_assignable=False)
    assert verdict(learner(assignable_required=1), uncapped).quota_required == 2
    # A zero quota is met, never exempt.
    assert quota_of(MonthRules(quota=0), assignable_required=0) == (0, None)


# P-22: a task is missed when not completed by its due time (the instant itself is on time).
def test_completed_on_time_late_or_never():
    due = sh(15, 18)
    on_time = Task("k1", due, completed_at=due)
    early = Task("k2", due, completed_at=due - timedelta(days=3))
    late = Task("k3", due, completed_at=due + TICK)
    never = Task("k4", due)
    v = verdict(learner(tasks=(on_time, early, late, never)))
    assert [m.course_key for m in v.missed] == ["k3", "k4"]


# P-22: withdrawn at or before the due time is never missed; withdrawn after keeps the miss.
def test_withdrawn_tasks_are_never_missed():
    due = sh(15, 18)
    tasks = (
        Task("before", due, withdrawn_at=due - timedelta(days=1)),
        Task("at", due, withdrawn_at=due),
        Task("after", due, withdrawn_at=due + TICK),
    )
    assert [m.course_key for m in verdict(learner(tasks=tasks)).missed] == ["after"]


# P-22: a task is judged in the month of its due time, not of its completion or the close.
def test_tasks_due_in_other_months_are_not_judged_here():
    tasks = missing(3, sh(1)) + missing(3, sh(1, month=2) + TICK)
    assert verdict(learner(tasks=tasks)).missed == ()
    # Due at local midnight on the 1st: the end of the month's last day, so judged in it.
    assert len(verdict(learner(tasks=missing(3, sh(1, month=2)))).missed) == 3


# P-22: a task due while the learner was not a member is not missed.
def test_task_due_after_leaving_is_not_missed():
    active = (Interval(sh(1), sh(20)),)
    v = verdict(learner(active=active, tasks=missing(3, sh(25)) + (Task("x", sh(19)),)))
    assert [m.course_key for m in v.missed] == ["x"]


# P-22: 3 missed tasks in a month suspend from the close for suspension_days; 2 do not.
def test_three_missed_tasks_suspend():
    v = verdict(learner(tasks=missing(3, sh(10)), required_completed_at=done(2)))
    assert v.consequences == (MISSED_TASKS_SUSPENSION,)
    assert v.suspension_starts_at == CLOSED
    assert v.suspension_ends_at == CLOSED + timedelta(days=30)
    two = verdict(learner(tasks=missing(2, sh(10)), required_completed_at=done(2)))
    assert (two.consequences, two.suspension_ends_at) == ((), None)
    rules = MonthRules(missed_to_suspend=2, suspension_days=7)
    v = verdict(learner(tasks=missing(2, sh(10)), required_completed_at=done(2)), rules)
    assert v.suspension_ends_at == CLOSED + timedelta(days=7)


# P-22: a due time inside a suspension moves by the blocked time before it, after the block.
def test_due_inside_a_block_is_shifted():
    block = Interval(sh(10), sh(20))
    due = sh(15)
    assert effective_due(due, (block,)) == sh(25)
    assert effective_due(sh(20), (block,)) == sh(20)  # the block's end is not inside it
    assert effective_due(sh(10), (block,)) == sh(20)
    late = Task("k", due, completed_at=sh(22))
    assert verdict(learner(tasks=(late,), blocked=(block,))).missed == ()
    never = verdict(learner(tasks=(Task("k", due),), blocked=(block,))).missed
    assert never == (MissedTask("k", sh(25), due),)
    no_shift = MonthRules(shift_due_in_block=False)
    assert verdict(learner(tasks=(late,), blocked=(block,)), no_shift).missed == (
        MissedTask("k", due, due),
    )


# P-22: a shift can chain into a later block and carry the task into the next month.
def test_shift_chains_and_crosses_the_month_end():
    blocks = (Interval(sh(10), sh(20)), Interval(sh(22), sh(30)))
    assert effective_due(sh(15), blocks) == sh(2, month=2)
    assert effective_due(sh(15), tuple(reversed(blocks))) == sh(2, month=2)
    facts = learner(
        tasks=missing(3, sh(15)), blocked=blocks, active=(Interval(sh(1), sh(1, month=3)),)
    )
    assert verdict(facts).missed == ()
    feb = period_from_label("2026-02", SHANGHAI)
    assert len(verdict(facts, period=feb).missed) == 3
    # Touching blocks are one stretch.
    split = (Interval(sh(10), sh(15)), Interval(sh(15), sh(20)))
    assert merge(split) == (Interval(sh(10), sh(20)),)
    assert effective_due(sh(15), split) == sh(25)


# P-23: the 3rd month with a miss within the window revokes.
def test_third_month_with_misses_revokes():
    facts = learner(
        tasks=missing(1, sh(10)),
        required_completed_at=done(2),
        months_with_misses_before=frozenset({"2025-03", "2025-11"}),
    )
    v = verdict(facts)
    assert (v.months_with_misses, v.consequences) == (3, (REVOCATION,))
    assert v.miss_months == ("2025-03", "2025-11", "2026-01")


# P-23: months outside the window, this month's own label and later labels do not count.
def test_revocation_counts_only_within_the_window():
    before = frozenset({"2025-01", "2025-11", "2026-01", "2026-02"})  # 2025-01 is 13 months back
    v = verdict(learner(tasks=missing(1, sh(10)), months_with_misses_before=before))
    assert v.months_with_misses == 2
    assert REVOCATION not in v.consequences
    wide = MonthRules(window_months=13)
    assert (
        REVOCATION
        in verdict(
            learner(tasks=missing(1, sh(10)), months_with_misses_before=before), wide
        ).consequences
    )


# P-23: no miss this month → no revocation, whatever came before.
def test_no_miss_this_month_no_revocation():
    before = frozenset({"2025-10", "2025-11", "2025-12"})
    v = verdict(learner(required_completed_at=done(2), months_with_misses_before=before))
    assert (v.months_with_misses, v.consequences) == (3, ())


# P-23, P-22: an already revoked learner is not revoked (nor suspended) again.
def test_already_revoked_is_not_sanctioned_twice():
    facts = learner(
        tasks=missing(3, sh(10)),
        months_with_misses_before=frozenset({"2025-11", "2025-12"}),
        already_revoked=True,
    )
    v = verdict(facts)
    assert v.consequences == (QUOTA_WARNING,)
    assert v.months_with_misses == 3
    assert v.suspension_ends_at is None
    fresh = verdict(replace(facts, already_revoked=False))
    assert fresh.consequences == (QUOTA_WARNING, MISSED_TASKS_SUSPENSION, REVOCATION)


# P-21, P-22, P-23: the evidence is JSON-ready: ids, course keys, labels, ISO UTC times.
def test_evidence_is_json_ready_and_names_the_facts():
    facts = learner(
        tasks=missing(3, sh(10)),
        required_completed_at={"course-v1:Org+R+2026": sh(5, 9)},
        months_with_misses_before=frozenset({"2025-12", "2025-11"}),
    )
    evidence = verdict(facts).evidence()
    assert json.loads(json.dumps(evidence)) == evidence
    assert evidence["user_id"] == 7
    assert evidence["period"] == "2026-01"
    assert evidence["completions"] == [
        {"course_key": "course-v1:Org+R+2026", "completed_at": "2026-01-05T01:00:00+00:00"}
    ]
    assert evidence["missed"][0] == {
        "course_key": "course-v1:Org+T0+2026",
        "due_at": "2026-01-09T16:00:00+00:00",
        "original_due_at": "2026-01-09T16:00:00+00:00",
    }
    assert evidence["miss_months"] == ["2025-11", "2025-12", "2026-01"]
    assert evidence["consequences"] == [QUOTA_WARNING, MISSED_TASKS_SUSPENSION, REVOCATION]
    assert evidence["suspension_ends_at"] == (CLOSED + timedelta(days=30)).isoformat()


def test_judge_many_keeps_the_order():
    many = [learner(user_id=i) for i in (3, 1, 2)]
    assert [v.user_id for v in judge_many(many, RULES, JAN, CLOSED)] == [3, 1, 2]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="hired_mid_month"):
        MonthRules(hired_mid_month="maybe")
    with pytest.raises(ValueError, match="blocked_days"):
        MonthRules(blocked_days="skip")
    with pytest.raises(ValueError, match="missed_to_suspend"):
        MonthRules(missed_to_suspend=0)
    with pytest.raises(ValueError, match="quota"):
        MonthRules(quota=-1)
    with pytest.raises(ValueError, match="naive"):
        Task("k", datetime(2026, 1, 5))
    with pytest.raises(ValueError, match="ends before"):
        Interval(sh(5), sh(4))
    with pytest.raises(ValueError, match="monthly"):
        judge(learner(), RULES, period_from_label("2026-Q1", SHANGHAI), CLOSED)
    with pytest.raises(ValueError, match="naive"):
        judge(learner(), RULES, JAN, datetime(2026, 2, 1))


# --- properties -------------------------------------------------------------------------------

offsets = st.integers(min_value=0, max_value=int((JAN.end_utc - JAN.start_utc) / TICK) - 1)
instants = offsets.map(lambda us: JAN.start_utc + us * TICK)
wide_instants = st.integers(min_value=-10 * 86400, max_value=41 * 86400).map(
    lambda s: JAN.start_utc + timedelta(seconds=s)
)
intervals = st.tuples(wide_instants, wide_instants).map(lambda ab: Interval(min(ab), max(ab)))
rules_st = st.builds(
    MonthRules,
    quota=st.integers(0, 6),
    missed_to_suspend=st.integers(1, 4),
    hired_mid_month=st.sampled_from([EXEMPT, PRORATE, FULL]),
    left_mid_month=st.sampled_from([EXEMPT, PRORATE, FULL]),
    blocked_days=st.sampled_from([EXEMPT, COUNT]),
    shift_due_in_block=st.booleans(),
    quota_capped_by_assignable=st.booleans(),
)
tasks_st = st.lists(
    st.builds(
        Task,
        course_key=st.sampled_from([f"k{i}" for i in range(8)]),
        due_at=wide_instants,
        completed_at=st.none() | wide_instants,
        withdrawn_at=st.none() | wide_instants,
    ),
    max_size=8,
)
facts_st = st.builds(
    LearnerMonth,
    user_id=st.integers(1, 10**6),
    tasks=tasks_st.map(tuple),
    required_completed_at=st.dictionaries(st.sampled_from(list("abcdef")), wide_instants),
    active=st.lists(intervals, max_size=3).map(tuple),
    blocked=st.lists(intervals, max_size=3).map(tuple),
    months_with_misses_before=st.frozensets(st.sampled_from(["2025-01", "2025-06", "2025-12"])),
    already_revoked=st.booleans(),
    assignable_required=st.none() | st.integers(0, 6),
)


# Judging is deterministic and does not depend on the order of the facts.
@settings(max_examples=200, deadline=None)
@given(facts=facts_st, rules=rules_st, seed=st.integers())
def test_judging_is_deterministic_and_order_free(facts, rules, seed):
    first = judge(facts, rules, JAN, CLOSED)
    assert judge(facts, rules, JAN, CLOSED) == first
    shuffle = random.Random(seed).sample
    shuffled = replace(
        facts,
        tasks=tuple(shuffle(facts.tasks, len(facts.tasks))),
        active=tuple(shuffle(facts.active, len(facts.active))),
        blocked=tuple(shuffle(facts.blocked, len(facts.blocked))),
    )
    assert judge(shuffled, rules, JAN, CLOSED) == first


# Invariants: the quota never exceeds the policy's, exempt means no quota and no warning, and
# every missed task was judged at a due time inside the month.
@settings(max_examples=200, deadline=None)
@given(facts=facts_st, rules=rules_st)
def test_verdict_invariants(facts, rules):
    v = judge(facts, rules, JAN, CLOSED)
    if v.exempt is None:
        assert 0 <= v.quota_required <= rules.quota
        assert v.quota_met is (v.required_completed >= v.quota_required)
    else:
        assert v.quota_required is None and v.quota_met is None
        assert QUOTA_WARNING not in v.consequences
    assert all(JAN.contains(m.due_at) and m.due_at >= m.original_due_at for m in v.missed)
    assert (MISSED_TASKS_SUSPENSION in v.consequences) == (
        len(v.missed) >= rules.missed_to_suspend and not facts.already_revoked
    )
    assert (v.suspension_ends_at is None) == (MISSED_TASKS_SUSPENSION not in v.consequences)
    assert (REVOCATION in v.consequences) <= (bool(v.missed) and not facts.already_revoked)
    # The apply step reads back only standings with a quota not met or a missed task.
    assert bool(v.consequences) <= (v.quota_met is False or len(v.missed) > 0)


# A learner with every task completed on time and the full quota met has no consequence.
@settings(max_examples=200, deadline=None)
@given(
    rules=rules_st,
    dues=st.lists(wide_instants, max_size=8),
    leads=st.lists(st.integers(0, 30 * 86400), min_size=8, max_size=8),
    done_at=st.lists(instants, min_size=6, max_size=6),
    active=st.lists(intervals, max_size=3),
    blocked=st.lists(intervals, max_size=3),
    before=st.frozensets(st.sampled_from(["2025-06", "2025-11", "2025-12"])),
)
def test_all_done_on_time_and_quota_met_has_no_consequence(
    rules, dues, leads, done_at, active, blocked, before
):
    tasks = tuple(
        Task(f"k{i}", due, completed_at=due - timedelta(seconds=lead))
        for i, (due, lead) in enumerate(zip(dues, leads, strict=False))
    )
    facts = LearnerMonth(
        user_id=1,
        tasks=tasks,
        required_completed_at={f"r{i}": when for i, when in enumerate(done_at[: rules.quota])},
        active=tuple(active),
        blocked=tuple(blocked),
        months_with_misses_before=before,
    )
    v = judge(facts, rules, JAN, CLOSED)
    assert v.missed == ()
    assert v.consequences == ()
    assert v.quota_met in (True, None)


# P-23: the one-pass window judgement agrees with judging each month of it on its own.
@settings(max_examples=200, deadline=None)
@given(facts=facts_st, rules=rules_st)
def test_months_with_a_miss_agrees_with_missed_tasks_month_by_month(facts, rules):
    window = months_back(next_month(JAN), 3)
    expected = {month.label for month in window if missed_tasks(facts, rules, month)}
    assert months_with_a_miss(facts, rules, window) == expected
    assert months_with_a_miss(facts, rules, []) == frozenset()
