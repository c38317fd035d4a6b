"""Closing months inline: standings, keyed sanctions with evidence, one email per learner and
rule, catch-up in order, the guard, and nothing twice (P-16, P-21, P-22, P-23, P-33)."""

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.month_close import runner, services
from elearn_plugin.month_close.chunks import apply_chunk, judge_chunk
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing
from elearn_plugin.month_close.registry import on_month_closed, remove_hook
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.policy.loader import parse_policy
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.standing.models import Sanction
from elearn_plugin.standing.services import active_block
from tests.unit.month_close.conftest import POLICY, R1, R2, R3, R4, TZ, assign, complete, local
from tests.unit.policy.helpers import variant

JAN, FEB, MAR = (period_from_label(f"2026-0{m}", TZ) for m in (1, 2, 3))
AFTER_MARCH = local(2026, 4, 1, 0, 5)
HASH = "a" * 64


def close(through, now=AFTER_MARCH, policy=POLICY, **kwargs):
    return runner.close_through(through, policy, HASH, runner="inline", now=now, **kwargs)


def snapshot():
    """Every row a close writes, as comparable values (audit rows as verb, target, data)."""
    import json

    def rows(model, *fields):
        values = model.objects.order_by(*fields[:2]).values_list(*fields)
        return json.dumps(list(values), cls=DjangoJSONEncoder, sort_keys=True)

    return {
        "standings": rows(
            Standing,
            "period",
            "user_id",
            "unit_id",
            "quota",
            "quota_met",
            "missed_tasks",
            "months_with_misses",
            "consequences",
            "exempt",
            "evidence",
        ),
        "sanctions": rows(
            Sanction,
            "user_id",
            "source",
            "kind",
            "reason_code",
            "starts_at",
            "ends_at",
            "evidence",
        ),
        "outbox": rows(OutboxMessage, "key", "user_id", "message_type", "context"),
        "closes": rows(MonthClose, "period", "status", "learners", "warnings", "suspensions"),
        "audit": sorted(
            json.dumps([v, t, d], sort_keys=True)
            for v, t, d in AuditEvent.objects.values_list("verb", "target", "data")
        ),
    }


@pytest.fixture
def march(courses, people):
    """ok: two required done; short: one done; misser: three tasks missed in March."""
    ok, short, misser = people(3, local(2025, 12, 1))
    complete(ok, (R1, local(2026, 3, 3)), (R2, local(2026, 3, 4)))
    complete(short, (R1, local(2026, 3, 3)))
    assign(short, (R2, local(2026, 4, 20)))  # assignable, so the quota stays at two
    assign(misser, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11)), (R3, local(2026, 3, 12)))
    complete(misser, (R4, local(2026, 3, 2)), (R1, local(2026, 3, 20)))
    return {"ok": ok, "short": short, "misser": misser}


def test_a_close_records_standings_sanctions_with_evidence_and_emails(march):
    # P-16, P-21, P-22: every learner gets a standing; consequences are keyed and evidenced.
    (state_jan, state_feb, state_mar) = close(MAR)
    assert [s.status for s in (state_jan, state_feb, state_mar)] == ["closed"] * 3
    standing = {s.user_id: s for s in Standing.objects.filter(period="2026-03")}
    assert set(standing) == set(march.values())
    assert standing[march["ok"]].consequences == []
    assert standing[march["ok"]].quota_met is True
    assert standing[march["short"]].consequences == ["quota_warning"]
    missed = standing[march["misser"]]
    assert missed.missed_tasks == 3 and missed.consequences == ["missed_tasks_suspension"]
    assert missed.unit.code == "hq"

    # January and February warned both too (their March tasks were assignable then).
    sanctions = {
        (s.user_id, s.kind, s.source): s
        for s in Sanction.objects.filter(source__endswith=":2026-03")
    }
    assert set(sanctions) == {
        (march["short"], "warning", "quota:2026-03"),
        (march["misser"], "suspension", "missed_tasks:2026-03"),
    }
    suspension = sanctions[(march["misser"], "suspension", "missed_tasks:2026-03")]
    decided = MonthClose.objects.get(period="2026-03").decided_at
    assert suspension.starts_at == decided
    assert suspension.ends_at == decided + timedelta(days=POLICY.missed_tasks.suspension_days)
    assert [m["course_key"] for m in suspension.evidence["missed"]] == [R1, R2, R3]
    assert suspension.evidence["missed"][0]["due_at"] == "2026-03-09T16:00:00+00:00"

    keys = set(OutboxMessage.objects.filter(key__endswith=":2026-03").values_list("key", flat=True))
    assert keys == {
        f"quota_warning:{march['short']}:2026-03",
        f"task_suspension:{march['misser']}:2026-03",
    }
    mail = OutboxMessage.objects.get(message_type="task_suspension")
    assert mail.context["missed"] == 3 and mail.context["period"] == "2026-03"

    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs.count("month_close.closed") == 3
    assert verbs.count("sanction.imposed") == Sanction.objects.count() == 6
    assert MonthClose.objects.get(period="2026-03").policy_hash == HASH


def test_the_refused_learner_reads_the_evidence(march):
    # P-22, P-8: a suspended learner is told the tasks missed and their due dates.
    from elearn_plugin.gate import describe_block

    close(MAR)
    block = active_block(march["misser"])
    text = describe_block(block)
    # Titles HR gave the courses, and "due by the end of 9 March" for a midnight deadline.
    assert "course-v1:Org+REQ1+2026" in text and "due 2026-03-09" in text


def test_closing_twice_changes_nothing(march):
    # P-33: a second close (and a third through the tick's path) writes nothing new.
    close(MAR)
    first = snapshot()
    again = close(MAR)
    assert [s.status for s in again] == ["closed"] * 3
    close(MAR, now=AFTER_MARCH + timedelta(days=3))
    assert snapshot() == first
    mails = OutboxMessage.objects.filter(user_id=march["misser"]).values_list("key", flat=True)
    assert sorted(mails) == sorted(
        f"{kind}:{march['misser']}:{month}"
        for kind, month in (
            ("quota_warning", "2026-01"),
            ("quota_warning", "2026-02"),
            ("task_suspension", "2026-03"),
        )
    )


def test_a_chunk_judged_twice_is_skipped(march):
    # P-33: a redelivered chunk task finds its chunk judged and writes nothing.
    close_row = services.begin(MAR, POLICY, HASH, runner="inline")
    assert judge_chunk(close_row.pk, 0, POLICY, MAR) == "judged"
    count = Standing.objects.count()
    assert judge_chunk(close_row.pk, 0, POLICY, MAR) == "skipped"
    assert Standing.objects.count() == count


def test_catch_up_closes_in_order_and_the_third_month_revokes(courses, people):
    # P-23: misses in January, February and March; closing March closes all three, in order.
    (learner,) = people(1, local(2025, 12, 1))
    assign(learner, (R1, local(2026, 1, 10)), (R2, local(2026, 2, 10)), (R3, local(2026, 3, 10)))
    states = close(MAR)
    assert [s.period for s in states] == ["2026-01", "2026-02", "2026-03"]
    rows = dict(
        Standing.objects.filter(user_id=learner).values_list("period", "months_with_misses")
    )
    assert rows == {"2026-01": 1, "2026-02": 2, "2026-03": 3}
    revocation = Sanction.objects.get(user_id=learner, kind="revocation")
    assert revocation.source == "revocation:2026-03"
    assert revocation.evidence["miss_months"] == ["2026-01", "2026-02", "2026-03"]
    assert OutboxMessage.objects.filter(key=f"revocation:{learner}:2026-03").exists()
    closed = list(MonthClose.objects.order_by("closed_at").values_list("period", flat=True))
    assert closed == ["2026-01", "2026-02", "2026-03"]


def guarded(share: str, min_count: str):
    text = variant(
        ("  share: 0.05", f"  share: {share}"), ("  min_count: 10", f"  min_count: {min_count}")
    )
    return parse_policy(text)


def test_the_guard_holds_a_mass_sanction_until_hr_confirms(courses, people, make_user):
    # P-22, P-33: more suspensions than the guard allows are held, not applied.
    learners = people(3, local(2025, 12, 1))
    for learner in learners:
        assign(
            learner, (R1, local(2026, 1, 10)), (R2, local(2026, 1, 11)), (R3, local(2026, 1, 12))
        )
    policy = guarded("0.5", "1")
    hr = make_user()
    (state,) = close(JAN, now=local(2026, 2, 1, 1), policy=policy)
    assert state.status == CloseStatus.HELD
    assert Sanction.objects.count() == 0 and OutboxMessage.objects.count() == 0
    assert Standing.objects.filter(period="2026-01").count() == 3  # HR can read them
    from elearn_plugin.tick.services import health

    report = health(local(2026, 2, 1, 1))
    assert "month_close_held:2026-01" in report["problems"]
    assert "2026-01" in report["unclosed_periods"]
    # A second run without confirmation still holds; later months wait behind it.
    (state,) = close(FEB, now=local(2026, 3, 1, 1), policy=policy)
    assert (
        state.status == CloseStatus.HELD
        and not MonthClose.objects.filter(period="2026-02").exists()
    )
    states = close(FEB, now=local(2026, 3, 1, 1), policy=policy, confirm_actor=hr)
    assert [s.status for s in states] == ["closed", "closed"]
    confirmed = MonthClose.objects.get(period="2026-01")
    assert confirmed.confirmed_at is not None and confirmed.confirmed_by == hr
    assert AuditEvent.objects.get(verb="month_close.confirmed").actor_user_id == hr.pk
    suspension = Sanction.objects.filter(kind="suspension", source="missed_tasks:2026-01")
    assert suspension.count() == 3
    assert all(s.starts_at == confirmed.confirmed_at for s in suspension)


def test_the_guard_lets_a_small_share_through(courses, people):
    # P-22: under either threshold the close applies at once.
    learners = people(4, local(2025, 12, 1))
    assign(
        learners[0], (R1, local(2026, 1, 10)), (R2, local(2026, 1, 11)), (R3, local(2026, 1, 12))
    )
    (state,) = close(JAN, now=local(2026, 2, 1, 1), policy=guarded("0.5", "0"))
    assert state.status == CloseStatus.CLOSED and state.suspensions == 1


def test_a_hook_runs_once_in_the_closing_transaction(march):
    seen = []

    @on_month_closed
    def hook(close_row):
        seen.append((close_row.period, close_row.status))

    try:
        close(MAR)
        close(MAR)
    finally:
        remove_hook(hook)
    assert seen == [("2026-01", "closed"), ("2026-02", "closed"), ("2026-03", "closed")]


def test_a_failing_hook_leaves_the_month_unclosed(march):
    # P-33: what a hook writes commits with the close or not at all.
    def broken(close_row):
        raise RuntimeError("ranking failed")

    on_month_closed(broken)
    try:
        with pytest.raises(RuntimeError):
            close(JAN, now=local(2026, 2, 1, 1))
    finally:
        remove_hook(broken)
    assert MonthClose.objects.get(period="2026-01").status == CloseStatus.APPLYING
    (state,) = close(JAN, now=local(2026, 2, 1, 1))
    assert state.status == CloseStatus.CLOSED


@pytest.mark.parametrize("count", [3, 30])
def test_queries_per_chunk_do_not_grow_with_its_learners(
    count, courses, people, django_assert_num_queries
):
    # Invariant 7: a chunk costs the same statements for 3 learners as for 30.
    learners = people(count, local(2025, 12, 1))
    for learner in learners:
        assign(
            learner, (R1, local(2026, 1, 10)), (R2, local(2026, 1, 11)), (R3, local(2026, 1, 12))
        )
        complete(learner, (R4, local(2026, 1, 2)))
    close_row = services.begin(JAN, POLICY, HASH, runner="inline")
    # lock, close, five facts (the population is their memberships), standings, chunk,
    # audit (the rest: savepoints)
    with django_assert_num_queries(12):
        judge_chunk(close_row.pk, 0, POLICY, JAN)
    assert CloseChunk.objects.get(close=close_row, index=0).learners == count


@pytest.mark.parametrize("count", [3, 30])
def test_applying_a_chunk_costs_the_same_statements_for_3_as_for_30(
    count, courses, people, django_assert_num_queries
):
    # Invariant 7 for the apply step: sanctions, their events and the emails of a chunk are
    # written with a fixed number of statements, whatever the number of its learners.
    learners = people(count, local(2025, 12, 1))
    for learner in learners:
        assign(
            learner, (R1, local(2026, 1, 10)), (R2, local(2026, 1, 11)), (R3, local(2026, 1, 12))
        )
        complete(learner, (R4, local(2026, 1, 2)))
    close_row = services.begin(JAN, POLICY, HASH, runner="inline")
    judge_chunk(close_row.pk, 0, POLICY, JAN)
    # Everyone is suspended, which the guard would hold: the step is applied here directly.
    MonthClose.objects.filter(pk=close_row.pk).update(status=CloseStatus.APPLYING)
    # lock, close, standings, users, sanctions and their read-back, events, course titles,
    # outbox keys, users, messages, chunk (the rest: savepoints)
    with django_assert_num_queries(18):
        apply_chunk(close_row.pk, 0, quota_email=True, tz=TZ)
    assert Sanction.objects.filter(source="missed_tasks:2026-01").count() == count
    assert OutboxMessage.objects.filter(message_type="task_suspension").count() == count
    assert AuditEvent.objects.filter(verb="sanction.imposed").count() == 2 * count


def test_the_suspension_email_lists_the_tasks_and_the_revocation_its_months(courses, people):
    # P-22, P-23: the learner's emails name what was missed, when it was due, and the months.
    from django.core import mail

    from elearn_plugin.outbox.sender import send_pending

    (misser, revoked) = people(2, local(2025, 12, 1))
    assign(misser, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11)), (R3, local(2026, 4, 1)))
    assign(revoked, (R1, local(2026, 1, 10)), (R2, local(2026, 2, 10)), (R3, local(2026, 3, 10)))
    close(MAR)
    send_pending(limit=100)
    suspension = next(m for m in mail.outbox if "2026-03-31" in m.body and R3 in m.body)
    assert "2026-03-09" in suspension.body and R1 in suspension.body
    revocation = next(m for m in mail.outbox if "2026-01, 2026-02, 2026-03" in m.body)
    assert len(revocation.to) == 1


def test_the_celery_runner_closes_through_chunk_tasks(
    march, monkeypatch, django_capture_on_commit_callbacks
):
    # P-33: chunk tasks (eager here, in real workers in the integration suite) judge, then
    # the last one sends the apply step, and the last of those closes the month.
    import elearn_plugin.month_close.chunks as chunks_module
    from elearn_plugin.policy.runtime import file_digest
    from elearn_plugin.tasks import month_close as task_module

    monkeypatch.setattr(chunks_module, "CHUNK_LEARNERS", 1)
    sent = []
    real_send = task_module._send
    monkeypatch.setattr(task_module, "_send", lambda c, i: (sent.append(list(i)), real_send(c, i)))
    with django_capture_on_commit_callbacks(execute=True):
        (state,) = runner.close_through(
            JAN, POLICY, file_digest(), runner="celery", now=local(2026, 2, 1, 1)
        )
        assert state.status == "judging"  # sent, not run: the tasks go once this commits
    assert MonthClose.objects.get(period="2026-01").status == "closed"
    assert sent == [[0, 1, 2], [0, 1, 2]]  # judge step, then apply step
    assert CloseChunk.objects.filter(judged_at__isnull=False, applied_at__isnull=False).count() == 3


def test_a_dst_zone_closes_at_local_midnight_and_23_59_is_the_months(courses, people):
    # P-22, P-16: in Berlin March has 743 hours; 23:59 on 31 March is March's, 00:01 April's.
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    policy = parse_policy(variant(("timezone: Asia/Shanghai", "timezone: Europe/Berlin")))
    march = period_from_label("2026-03", berlin)
    assert (march.end_utc - march.start_utc).total_seconds() == 743 * 3600
    late, next_month = people(2, local(2025, 12, 1))

    def due(day, month, hour, minute):
        from datetime import datetime

        return datetime(2026, month, day, hour, minute, tzinfo=berlin)

    for learner, when in ((late, due(31, 3, 23, 59)), (next_month, due(1, 4, 0, 1))):
        assign(learner, *((key, when) for key in (R1, R2, R3)))
    close(march, now=due(1, 4, 0, 30), policy=policy)
    missed = dict(Standing.objects.filter(period="2026-03").values_list("user_id", "missed_tasks"))
    assert missed == {late: 3, next_month: 0}
    assert (
        Sanction.objects.filter(kind="suspension").values_list("user_id", flat=True).get() == late
    )
