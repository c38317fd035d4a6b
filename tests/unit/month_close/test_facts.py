"""The month close's facts, read set-based from real rows, and the verdicts they lead to
(P-16, P-21, P-22, P-23)."""

from datetime import timedelta

import pytest

from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    assign_bulk,
    record_completions_bulk,
)
from elearn_plugin.month_close.facts import load_chunk, load_month_facts, month_rules
from elearn_plugin.org import services as org
from elearn_plugin.rules.month_verdicts import (
    MISSED_TASKS_SUSPENSION,
    NOT_EMPLOYED,
    QUOTA_WARNING,
    REVOCATION,
    Interval,
    MonthRules,
    Task,
    judge,
)
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.standing.services import impose
from tests.unit.month_close.conftest import (
    ELECTIVE,
    POLICY,
    R1,
    R2,
    R3,
    R4,
    TZ,
    assign,
    complete,
    local,
)

MARCH = period_from_label("2026-03", TZ)
CLOSED_AT = local(2026, 4, 1, 2)


def test_month_rules_map_the_policy():  # P-16, P-21, P-22, P-23
    close = POLICY.month_close
    assert month_rules(POLICY) == MonthRules(
        quota=POLICY.quota.required_courses_per_month,
        missed_to_suspend=POLICY.missed_tasks.per_month_to_suspend,
        suspension_days=POLICY.missed_tasks.suspension_days,
        months_with_misses=POLICY.revocation.months_with_misses,
        window_months=POLICY.revocation.window_months,
        hired_mid_month=close.hired_mid_month,
        left_mid_month=close.left_mid_month,
        blocked_days=close.blocked_days,
        shift_due_in_block=close.shift_due_in_block,
        quota_capped_by_assignable=close.quota_capped_by_assignable,
    )


def test_three_misses_suspend(courses, people):  # P-22, P-16
    (user,) = people(1, local(2026, 1, 1))
    due = local(2026, 3, 31, 23, 59)  # the last minute of the month, local
    assign(user, (R1, due), (R2, due), (R3, local(2026, 3, 10)))
    assign(user, (ELECTIVE, local(2026, 3, 11)))
    (facts,) = load_month_facts([user], MARCH, POLICY)

    assert facts.user_id == user
    assert facts.tasks == (
        Task(R3, local(2026, 3, 10)),
        Task(ELECTIVE, local(2026, 3, 11)),
        Task(R1, due),
        Task(R2, due),
    )
    assert facts.required_completed_at == {}
    assert facts.active == (Interval(MARCH.start_utc, MARCH.end_utc),)
    assert facts.blocked == ()
    assert facts.months_with_misses_before == frozenset()
    assert facts.already_revoked is False
    assert facts.assignable_required == 3
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert [m.course_key for m in verdict.missed] == [R3, ELECTIVE, R1, R2]
    assert verdict.consequences == (QUOTA_WARNING, MISSED_TASKS_SUSPENSION)
    assert verdict.suspension_ends_at == CLOSED_AT + timedelta(days=30)


def test_one_below_quota_is_warned(courses, people, units):  # P-16, P-21
    (user,) = people(1, local(2026, 1, 1))
    assign(user, (R1, local(2026, 3, 20)), (R2, local(2026, 4, 30)), (R3, local(2026, 2, 1)))
    complete(user, (R1, local(2026, 3, 5)), (R3, local(2026, 1, 20)), (ELECTIVE, local(2026, 3, 6)))
    org.set_units_bulk([(user, units["sales"].id)], local(2026, 3, 15))  # transferred
    (facts,) = load_month_facts([user], MARCH, POLICY)

    assert facts.tasks == (
        Task(R3, local(2026, 2, 1), completed_at=local(2026, 1, 20)),
        Task(R1, local(2026, 3, 20), completed_at=local(2026, 3, 5)),
    )
    assert facts.required_completed_at == {R1: local(2026, 3, 5)}
    assert facts.active == (Interval(MARCH.start_utc, MARCH.end_utc),)
    assert facts.months_with_misses_before == frozenset()
    # R1 (done in the month) and R2 (due later) could be completed; R3 was done before.
    assert facts.assignable_required == 2
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert (verdict.quota_required, verdict.required_completed) == (2, 1)
    assert verdict.missed == ()
    assert verdict.consequences == (QUOTA_WARNING,)


def test_misses_in_three_months_of_the_window_revoke(courses, people):  # P-23
    (user,) = people(1, local(2025, 6, 1))
    assign(
        user,
        (R1, local(2025, 11, 15)),
        (R2, local(2026, 1, 15)),
        (R3, local(2026, 3, 15)),
        (R4, local(2025, 3, 15)),  # before the window: not read as a task
    )
    complete(user, (R4, local(2026, 3, 2)), (R2, local(2026, 3, 3)))
    (facts,) = load_month_facts([user], MARCH, POLICY)

    assert facts.tasks == (
        Task(R1, local(2025, 11, 15)),
        Task(R2, local(2026, 1, 15), completed_at=local(2026, 3, 3)),
        Task(R3, local(2026, 3, 15)),
    )
    assert facts.required_completed_at == {R4: local(2026, 3, 2), R2: local(2026, 3, 3)}
    assert facts.months_with_misses_before == frozenset({"2025-11", "2026-01"})
    assert facts.assignable_required == 3  # R3 open, R2 and R4 completed in the month
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert verdict.months_with_misses == 3
    assert verdict.consequences == (REVOCATION,)


def test_a_suspension_shifts_a_due_time_into_the_month(courses, people):  # P-22
    (user,) = people(1, local(2026, 1, 1))
    start, end = local(2026, 2, 25), local(2026, 3, 5)
    impose(user, "suspension", "sharing", "test:s1", starts_at=start, ends_at=end)
    freeze, _ = impose(user, "freeze", "sharing", "test:f1", starts_at=local(2026, 3, 20))
    assign(user, (R1, local(2026, 2, 28)))
    (facts,) = load_month_facts([user], MARCH, POLICY)

    assert facts.tasks == (Task(R1, local(2026, 2, 28)),)
    # The open freeze is cut at the month's end; the suspension is kept whole.
    assert facts.blocked == (Interval(start, end), Interval(local(2026, 3, 20), MARCH.end_utc))
    assert facts.months_with_misses_before == frozenset()  # February's miss moved to March
    assert facts.assignable_required == 1
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert [(m.due_at, m.original_due_at) for m in verdict.missed] == [
        (local(2026, 3, 8), local(2026, 2, 28))
    ]
    # 16 of March's 31 days are blocked: the quota falls to ceil(2 * 15 / 31) = 1.
    assert verdict.quota_required == 1 and facts.already_revoked is False
    assert verdict.consequences == (QUOTA_WARNING,)


def test_an_unlifted_revocation_means_already_revoked(courses, people):  # P-23
    (user,) = people(1, local(2026, 1, 1))
    impose(user, "revocation", "missed_tasks", "test:r1", starts_at=local(2026, 2, 1))
    due = local(2026, 3, 10)
    assign(user, (R1, due), (R2, due), (R3, due))
    (facts,) = load_month_facts([user], MARCH, POLICY)
    assert facts.already_revoked is True
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert len(verdict.missed) == 3
    assert verdict.consequences == (QUOTA_WARNING,)


def test_no_membership_in_the_month_is_not_employed(courses, people, make_user):  # P-16
    (later,) = people(1, local(2026, 4, 1))
    stranger = make_user().id
    assign(later, (R1, local(2026, 3, 10)))
    facts = load_month_facts([stranger, later], MARCH, POLICY)
    assert [f.user_id for f in facts] == sorted([stranger, later])
    for item in facts:
        assert item.active == ()
        verdict = judge(item, month_rules(POLICY), MARCH, CLOSED_AT)
        assert verdict.exempt == NOT_EMPLOYED
        assert verdict.missed == () and verdict.consequences == ()


def test_hired_mid_month_is_active_from_the_membership(courses, people):  # P-16
    (user,) = people(1, local(2026, 3, 16))
    (facts,) = load_month_facts([user], MARCH, POLICY)
    assert facts.active == (Interval(local(2026, 3, 16), MARCH.end_utc),)
    assert facts.assignable_required == 0


@pytest.mark.parametrize("count", [3, 30])
def test_queries_do_not_grow_with_the_chunk(
    count, courses, people, django_assert_num_queries
):  # P-16, P-21, P-22, P-23
    users = people(count, local(2025, 6, 1))
    assign_bulk(
        [
            AssignmentSpec(u, key, local(2026, month, 10))
            for u in users
            for key, month in ((R1, 1), (R2, 3), (ELECTIVE, 3))
        ]
    )
    record_completions_bulk([CompletionSpec(u, R2, local(2026, 3, 1)) for u in users])
    for u in users:
        impose(
            u,
            "suspension",
            "sharing",
            f"test:{u}",
            starts_at=local(2026, 3, 1),
            ends_at=local(2026, 3, 3),
        )
    with django_assert_num_queries(5):
        facts = load_month_facts(users, MARCH, POLICY)
    assert len(facts) == count
    assert all(f.months_with_misses_before == frozenset({"2026-01"}) for f in facts)


def test_a_course_assigned_after_the_month_is_not_assignable_in_it(courses, people):
    # P-16, P-21: a required course assigned in April does not make March's quota.
    (early, late) = people(2, local(2025, 6, 1))
    assign(early, (R1, local(2026, 4, 20)), (R2, local(2026, 4, 21)))
    assign(late, (R1, local(2026, 4, 20)), (R2, local(2026, 4, 21)), assigned_at=local(2026, 4, 1))
    facts = {f.user_id: f for f in load_month_facts([early, late], MARCH, POLICY)}
    assert facts[early].assignable_required == 2
    assert facts[late].assignable_required == 0
    assert (
        judge(facts[late], month_rules(POLICY), MARCH, CLOSED_AT).exempt == "no_required_assignable"
    )
    assert judge(facts[early], month_rules(POLICY), MARCH, CLOSED_AT).consequences == (
        QUOTA_WARNING,
    )


def test_the_rows_read_are_what_the_orm_reads(courses, people):
    # The facts are read as raw rows with their instants as text: the same values, in UTC.
    from datetime import UTC

    from elearn_plugin.courses.models import Assignment
    from elearn_plugin.month_close.fact_rows import _fetch
    from elearn_plugin.standing.models import Sanction

    (user,) = people(1, local(2025, 6, 1))
    assign(user, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11, 8, 30)))
    impose(user, "freeze", "sharing", "test:1", starts_at=local(2026, 3, 1, 9, 15))
    names = ("user_id", "course_key", "due_at", "withdrawn_at", "assigned_at")
    rows = _fetch(Assignment.objects.all(), *names)
    assert sorted(rows) == sorted(Assignment.objects.values_list(*names))
    assert all(row[2].tzinfo is UTC and row[3] is None for row in rows)
    names = ("user_id", "kind", "starts_at", "ends_at", "lifted_at")
    assert _fetch(Sanction.objects.all(), *names) == list(Sanction.objects.values_list(*names))


@pytest.mark.parametrize("spread", ["range", "in_list"])
def test_a_chunk_reads_its_learners_only(spread, courses, people, django_assert_num_queries):
    # P-16, P-22: a chunk's ids filling their range are read as that range, sparse ids as an
    # IN list; either way a learner inside the range but outside the chunk is not judged.
    users = people(6, local(2025, 6, 1))
    for u in users:
        assign(u, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11)), (R3, local(2026, 3, 12)))
    asked = users[:2] + users[3:] if spread == "range" else [users[0], users[-1]]
    left_out = sorted(set(users) - set(asked))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        facts, unit_of = load_chunk(asked, MARCH, POLICY)
    assignment_sql = next(q["sql"] for q in queries if "elearn_plugin_assignment" in q["sql"])
    assert ("BETWEEN" in assignment_sql or ">=" in assignment_sql) == (spread == "range")
    assert [f.user_id for f in facts] == sorted(asked)
    assert set(unit_of) == set(asked)
    assert not set(left_out) & {f.user_id for f in facts}
    verdicts = [judge(f, month_rules(POLICY), MARCH, CLOSED_AT) for f in facts]
    assert all(MISSED_TASKS_SUSPENSION in v.consequences for v in verdicts)


def test_a_course_assigned_twice_is_one_task(courses, people):
    # P-22: one task per learner and course. R1 assigned by HR (due 10 March, withdrawn on
    # the 5th) and by the job role (due the 20th): the open row's deadline stands. R2 from
    # both sources, both withdrawn: the earliest deadline, withdrawn when the last row was.
    from django.db import transaction

    from elearn_plugin.audit import resolve
    from elearn_plugin.courses.assignment_apply import withdraw
    from elearn_plugin.courses.models import Assignment, AssignmentSource

    (user,) = people(1, local(2025, 6, 1))
    hr, role = AssignmentSource.HR, AssignmentSource.JOB_ROLE
    when = local(2025, 11, 1)
    assign_bulk(
        [
            AssignmentSpec(user, R1, local(2026, 3, 10), source=hr, assigned_at=when),
            AssignmentSpec(user, R1, local(2026, 3, 20), source=role, assigned_at=when),
            AssignmentSpec(user, R2, local(2026, 3, 12), source=hr, assigned_at=when),
            AssignmentSpec(user, R2, local(2026, 3, 8), source=role, assigned_at=when),
        ]
    )
    rows = Assignment.objects.filter(user_id=user)
    with transaction.atomic():
        withdraw(
            rows.filter(course_key=R1, source=hr).values_list("pk", flat=True),
            "hr_withdrew",
            who=resolve(None),
            when=local(2026, 3, 5),
        )
        withdraw(
            rows.filter(course_key=R2).values_list("pk", flat=True),
            "hr_withdrew",
            who=resolve(None),
            when=local(2026, 3, 6),
        )
    (facts,) = load_month_facts([user], MARCH, POLICY)
    assert facts.tasks == (
        Task(R2, local(2026, 3, 8), None, local(2026, 3, 6)),
        Task(R1, local(2026, 3, 20)),
    )
    verdict = judge(facts, month_rules(POLICY), MARCH, CLOSED_AT)
    assert [m.course_key for m in verdict.missed] == [R1]
