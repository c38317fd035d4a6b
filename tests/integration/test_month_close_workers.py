"""A month close survives a worker killed halfway (P-33, with P-21, P-22, P-23).

The same learners are closed twice: once inline in this process (the clean run), then, after
everything the close wrote is deleted, through two real Celery workers on Redis, one of which
is killed with SIGKILL while it runs a chunk of March; the close is then run again. Standings,
sanctions, the ledger, the outbox and the audit trail must equal the clean run's, every chunk
judged once, every learner mailed once per rule.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    CoursePolicySpec,
    assign_bulk,
    record_completions_bulk,
    save_course_policy,
)
from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.month_close import chunks, runner
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.policy.runtime import file_digest, get_policy
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.standing.models import Sanction
from tests.integration.conftest import worker_log

LEARNERS = 1200
CHUNK = 50  # 24 chunks a month
R1, R2, R3, R4 = (f"course-v1:Org+WREQ{n}+2026" for n in range(1, 5))
WAIT_SECONDS = 60
KILL_TIMEOUT = 30
CHUNK_TASK = "elearn.month_close_chunk"
RECEIVED = re.compile(rf"Task {re.escape(CHUNK_TASK)}\[([0-9a-f-]+)\] received")
FINISHED = re.compile(
    rf"Task {re.escape(CHUNK_TASK)}\[([0-9a-f-]+)\] (?:succeeded|failed|retry|raised)"
)


def _local(policy, *args: int) -> datetime:
    return datetime(*args, tzinfo=policy.tz)


def _build_learners(policy) -> dict[str, list[int]]:
    """1,200 learners in one unit since December 2025, in groups by what their months hold."""
    for key in (R1, R2, R3, R4):
        save_course_policy(CoursePolicySpec(key, key, Decimal("1"), "required", "internal"))
    unit, _ = org.create_unit("wk-hq", "Headquarters")
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(username=f"wk{i}", email=f"wk{i}@example.com") for i in range(LEARNERS)]
    )
    ids = list(
        user_model.objects.filter(username__startswith="wk")
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert len(ids) == LEARNERS
    Person.objects.bulk_create(
        [Person(user_id=uid, employee_id=f"WK{uid}", name="x", unit=unit) for uid in ids]
    )
    since = _local(policy, 2025, 12, 1)
    org.set_units_bulk([(uid, unit.id) for uid in ids], since)

    day = lambda *args: _local(policy, *args)  # noqa: E731
    groups: dict[str, list[int]] = {
        "jan_suspended": [],
        "revoked": [],
        "mar_suspended": [],
        "late": [],
        "met_early": [],
        "short": [],
        "march": [],
    }
    assignments: list[AssignmentSpec] = []
    completions: list[CompletionSpec] = []
    for number, uid in enumerate(ids):
        kind = number % 100
        if kind < 2:  # P-22: three tasks missed in January
            groups["jan_suspended"].append(uid)
            for key, due in ((R1, 10), (R2, 11), (R3, 12)):
                assignments.append(AssignmentSpec(uid, key, day(2026, 1, due), assigned_at=since))
        elif kind == 2:  # P-23: one task missed in each of January, February and March
            groups["revoked"].append(uid)
            for key, month in ((R1, 1), (R2, 2), (R3, 3)):
                assignments.append(
                    AssignmentSpec(uid, key, day(2026, month, 10), assigned_at=since)
                )
        elif kind < 6:  # P-22: three tasks missed in March (one completed after its due date)
            groups["mar_suspended"].append(uid)
            for key, due in ((R1, 10), (R2, 11), (R3, 12)):
                assignments.append(AssignmentSpec(uid, key, day(2026, 3, due), assigned_at=since))
            completions.append(CompletionSpec(uid, R1, day(2026, 3, 20)))
        elif kind < 10:  # one task missed in February only: no sanction, a month with misses
            groups["late"].append(uid)
            assignments.append(AssignmentSpec(uid, R4, day(2026, 2, 5), assigned_at=since))
            completions.append(CompletionSpec(uid, R1, day(2026, 2, 3)))
        elif kind < 40:  # P-21: quota met in January and February
            groups["met_early"].append(uid)
            for key, at in ((R1, (1, 5)), (R2, (1, 6)), (R3, (2, 3)), (R4, (2, 4))):
                completions.append(CompletionSpec(uid, key, day(2026, *at)))
        elif kind < 70:  # P-21: one course in February, short every month
            groups["short"].append(uid)
            completions.append(CompletionSpec(uid, R1, day(2026, 2, 14)))
            assignments.append(AssignmentSpec(uid, R2, day(2026, 4, 20), assigned_at=since))
        else:  # two courses in March, one more assigned for April
            groups["march"].append(uid)
            completions.append(CompletionSpec(uid, R1, day(2026, 3, 3)))
            completions.append(CompletionSpec(uid, R2, day(2026, 3, 4)))
            assignments.append(AssignmentSpec(uid, R3, day(2026, 4, 20), assigned_at=since))
    assign_bulk(assignments)
    record_completions_bulk(completions)
    return groups


def _seconds(value, origin: datetime) -> float | None:
    """`value` (a datetime or ISO text) as seconds after `origin`."""
    if value in (None, ""):
        return None
    when = value if isinstance(value, datetime) else parse_datetime(str(value))
    return (when - origin).total_seconds()


def _evidence(evidence: dict, decided: datetime) -> dict:
    """The verdict's evidence with its suspension times relative to the close's decision."""
    out = dict(evidence or {})
    for name in ("suspension_starts_at", "suspension_ends_at"):
        if name in out:
            out[name] = _seconds(out[name], decided)
    return out


def _dump(rows) -> list[str]:
    return sorted(json.dumps(row, cls=DjangoJSONEncoder, sort_keys=True) for row in rows)


def snapshot() -> dict[str, list[str]]:
    """Every row a close writes (and the ledger), as comparable text, without the columns
    that differ between two runs of the same close: ids, write times, the runner; times that
    follow from the close's `decided_at` are kept relative to it."""
    closes = {c.pk: c for c in MonthClose.objects.all()}
    decided = {c.period: c.decided_at for c in closes.values()}
    tz = get_policy().tz
    sanctions = {s.pk: s for s in Sanction.objects.all().only("pk", "user_id", "kind", "source")}
    rankings = dict(Ranking.objects.values_list("pk", "period"))

    def period_of(source: str) -> str:
        return source.rsplit(":", 1)[1]

    def target(text: str) -> str:
        label, _, key = text.partition(":")
        if label == "elearn_plugin.monthclose" and int(key) in closes:
            return f"{label}:{closes[int(key)].period}"
        if label == "elearn_plugin.ranking" and int(key) in rankings:
            return f"{label}:{rankings[int(key)]}"
        if label == "elearn_plugin.sanction" and int(key) in sanctions:
            s = sanctions[int(key)]
            return f"{label}:{s.user_id}/{s.kind}/{s.source}"
        return text

    def audit_data(verb: str, data: dict) -> dict:
        data = dict(data or {})
        if verb == "sanction.imposed" and data.get("source_key"):
            data["ends_at"] = _seconds(data.get("ends_at"), decided[period_of(data["source_key"])])
        return data

    def outbox_context(row) -> dict:
        context = dict(row.context or {})
        if "ends_on" in context:
            start = timezone.localtime(decided[context["period"]], tz).date()
            ends = datetime.fromisoformat(context["ends_on"]).date()
            context["ends_on"] = (ends - start).days
        return context

    return {
        "closes": _dump(
            (
                c.period,
                c.status,
                c.policy_hash,
                c.chunk_count,
                c.learners,
                c.warnings,
                c.suspensions,
                c.revocations,
                c.sanctioned,
                c.quota_email,
                c.held_at,
                c.confirmed_at,
                c.confirmed_by_id,
                c.judged_at is not None,
                c.closed_at is not None,
            )
            for c in closes.values()
        ),
        "rankings": _dump(
            RankingEntry.objects.order_by("ranking__period", "rank", "user_id").values_list(
                "ranking__period", "rank", "user_id", "credits", "unit_id"
            )
        ),
        "chunks": _dump(
            (
                closes[c.close_id].period,
                c.index,
                c.first_user_id,
                c.last_user_id,
                c.learners,
                c.warnings,
                c.suspensions,
                c.revocations,
                c.sanctioned,
                c.judged_at is not None,
                c.applied_at is not None,
            )
            for c in CloseChunk.objects.all()
        ),
        "standings": _dump(
            (
                s.period,
                s.user_id,
                s.unit_id,
                s.required_completed,
                s.quota,
                s.quota_met,
                s.missed_tasks,
                s.months_with_misses,
                s.consequences,
                s.exempt,
                _evidence(s.evidence, decided[s.period]),
            )
            for s in Standing.objects.all()
        ),
        "sanctions": _dump(
            (
                s.user_id,
                s.kind,
                s.source,
                s.reason_code,
                s.reason,
                _seconds(s.starts_at, decided[period_of(s.source)]),
                _seconds(s.ends_at, decided[period_of(s.source)]),
                s.created_by_id,
                s.lifted_at,
                s.lift_reason,
                _evidence(s.evidence, decided[period_of(s.source)]),
            )
            for s in Sanction.objects.all()
        ),
        "ledger": _dump(
            LedgerEntry.objects.values_list(
                "user_id", "kind", "amount", "source_key", "occurred_at", "course_key"
            )
        ),
        "outbox": _dump(
            (
                m.key,
                m.message_type,
                m.user_id,
                outbox_context(m),
                m.language,
                m.attempts,
                m.sent_at,
                m.last_error,
            )
            for m in OutboxMessage.objects.all()
        ),
        # As a multiset of (verb, target, data): a row written twice is a difference.
        "audit": _dump(
            (verb, target(tgt), audit_data(verb, data))
            for verb, tgt, data in AuditEvent.objects.values_list("verb", "target", "data")
        ),
    }


def _max_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _delete_what_the_close_wrote(marks: dict) -> None:
    """Raw DELETEs of the clean run's rows, so the same months can be closed again."""
    tables = [
        (Standing._meta.db_table, None),
        (CloseChunk._meta.db_table, None),
        (UnitMonthHours._meta.db_table, None),
        (RankingEntry._meta.db_table, None),
        (Ranking._meta.db_table, None),
        (MonthClose._meta.db_table, None),
        (Sanction._meta.db_table, marks[Sanction]),
        (OutboxMessage._meta.db_table, marks[OutboxMessage]),
        (AuditEvent._meta.db_table, marks[AuditEvent]),
    ]
    with connection.cursor() as cursor:
        for table, after in tables:
            if after is None:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            else:
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [after])  # noqa: S608


def _task_ids(proc) -> tuple[set[str], set[str]]:
    text = Path(proc.log_path).read_text(errors="replace")
    return set(RECEIVED.findall(text)), set(FINISHED.findall(text))


def _db_ports(pid: int) -> set[int]:
    """Local TCP ports of process `pid`'s connections to the database (from /proc)."""
    db_port = int(connection.settings_dict.get("PORT") or 3306)
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for fields in (line.split() for line in lines):
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == db_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def _lock_outbox():
    """A connection holding next-key locks on every outbox row and the gap after the last,
    so that any insert into the outbox waits until it rolls back."""
    import MySQLdb  # noqa: PLC0415

    db = connection.settings_dict
    conn = MySQLdb.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 3306),
        user=db.get("USER") or "root",
        passwd=db.get("PASSWORD") or "",
        db=db["NAME"],
    )
    conn.autocommit(False)
    cursor = conn.cursor()
    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    cursor.execute(f"SELECT id FROM {OutboxMessage._meta.db_table} FOR UPDATE")  # noqa: S608
    cursor.fetchall()
    return conn


def _db_activity() -> list[tuple]:
    """(client, command, seconds, transaction state, statement) of every connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.HOST, p.COMMAND, p.TIME, t.trx_state, LEFT(p.INFO, 80)"
            " FROM information_schema.PROCESSLIST p"
            " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID"
        )
        return list(cursor.fetchall())


def _inserting_into_outbox(ports: set[int]) -> bool:
    """Whether a connection from these ports is inside an INSERT into the outbox (which waits
    while `_lock_outbox` holds its locks)."""
    if not ports:
        return False
    hosts = [f"127.0.0.1:{port}" for port in ports]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST p"
            " JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID"
            " WHERE p.INFO LIKE %s"
            f" AND p.HOST IN ({', '.join(['%s'] * len(hosts))})",
            [f"INSERT%`{OutboxMessage._meta.db_table}`%", *hosts],
        )
        return cursor.fetchone()[0] > 0


def _connections_from(ports: set[int]) -> int:
    hosts = [f"127.0.0.1:{port}" for port in ports] or [""]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            f" WHERE HOST IN ({', '.join(['%s'] * len(hosts))})",
            hosts,
        )
        return cursor.fetchone()[0]


def _logs(procs) -> str:
    return "\n".join(f"--- {p.worker_name}:\n{worker_log(p)}" for p in procs)


def _differences(clean: dict, other: dict) -> list[str]:
    out = []
    for name in clean:
        if clean[name] != other[name]:
            a, b = Counter(clean[name]), Counter(other[name])
            missing = [row[:400] for row in list((a - b).elements())[:3]]
            extra = [row[:400] for row in list((b - a).elements())[:3]]
            out.append(
                f"{name}: {len(clean[name])} rows clean, {len(other[name])} after the kill; "
                f"missing {missing}; extra {extra}"
            )
    return out


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_close_loses_and_doubles_nothing(
    celery_app, celery_worker_pair, monkeypatch
):
    # P-33: rule runs never lose or double-apply records, even when a worker dies halfway
    # or a job is run twice.
    # The chunk plan is made in this process when a close begins: 24 chunks a month.
    monkeypatch.setattr(chunks, "CHUNK_LEARNERS", CHUNK)
    policy = get_policy()
    digest = file_digest()
    tz = policy.tz
    feb, mar = (period_from_label(f"2026-0{m}", tz) for m in (2, 3))
    now = _local(policy, 2026, 4, 1, 0, 5)
    groups = _build_learners(policy)

    # The clean run: inline, in this process.
    marks = {model: _max_id(model) for model in (Sanction, OutboxMessage, AuditEvent)}
    states = runner.close_through(mar, policy, digest, runner="inline", now=now)
    assert [s.status for s in states] == [CloseStatus.CLOSED] * 3, states
    clean = snapshot()
    march = MonthClose.objects.get(period="2026-03")
    chunk_count = march.chunk_count
    assert chunk_count == LEARNERS // CHUNK
    # The data is worth closing: warnings (P-21), suspensions (P-22), revocations (P-23).
    totals = {
        c.period: (c.learners, c.warnings, c.suspensions, c.revocations)
        for c in MonthClose.objects.all()
    }
    assert march.warnings > 0, totals
    assert march.suspensions == len(groups["mar_suspended"])
    assert march.revocations == len(groups["revoked"]) > 0
    assert MonthClose.objects.get(period="2026-01").suspensions == len(groups["jan_suspended"])
    clean_mail = Counter(OutboxMessage.objects.values_list("message_type", flat=True))
    assert clean_mail["task_suspension"] == len(groups["jan_suspended"] + groups["mar_suspended"])
    assert clean_mail["revocation"] == len(groups["revoked"])
    _delete_what_the_close_wrote(marks)
    assert not MonthClose.objects.exists() and not Sanction.objects.exists()

    # The killed run: January and February through both workers, then March begun.
    started = time.monotonic()
    states = runner.close_through(
        feb, policy, digest, runner="celery", now=now, wait_seconds=WAIT_SECONDS
    )
    assert [s.status for s in states] == [CloseStatus.CLOSED] * 2, _logs(celery_worker_pair)
    runner.close_through(mar, policy, digest, runner="celery", now=now, wait_seconds=None)
    close = MonthClose.objects.get(period="2026-03")

    # Kill a worker inside the transaction of a chunk of March's apply step. Once a quarter
    # of the chunks are applied, a lock on the outbox table makes every writer of messages
    # wait; `apply_chunk` writes them after it has imposed the chunk's sanctions (with their
    # audit rows), in the same transaction. The first worker seen waiting there is killed
    # with SIGKILL, with those rows written and not committed; then the lock is released.
    deadline = time.monotonic() + KILL_TIMEOUT
    applied = 0
    while applied < chunk_count // 4:
        close.refresh_from_db()
        assert close.status != CloseStatus.CLOSED, (
            "March closed before the outbox could be locked: make the data bigger\n"
            + _logs(celery_worker_pair)
        )
        assert time.monotonic() < deadline, (
            f"March's apply step did not progress in {KILL_TIMEOUT}s (status {close.status})\n"
            + _logs(celery_worker_pair)
        )
        applied = CloseChunk.objects.filter(close=close, applied_at__isnull=False).count()
        time.sleep(0.01)
    lock = _lock_outbox()
    try:
        victim = None
        while victim is None:
            for worker in celery_worker_pair:
                ports = _db_ports(worker.pid)
                if _inserting_into_outbox(ports):
                    os.killpg(worker.pid, signal.SIGKILL)
                    victim = worker
                    break
            else:
                assert time.monotonic() < deadline, (
                    f"no worker reached the outbox inside an apply transaction: "
                    f"{_db_activity()}\n" + _logs(celery_worker_pair)
                )
                time.sleep(0.01)
        # Nothing can finish applying while the outbox is locked.
        applied_at_kill = CloseChunk.objects.filter(close=close, applied_at__isnull=False).count()
    finally:
        lock.rollback()
        lock.close()
    (survivor,) = [worker for worker in celery_worker_pair if worker is not victim]
    victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    # The database sees the connection go and rolls its transaction back.
    gone = time.monotonic() + 10
    while _connections_from(ports) and time.monotonic() < gone:
        time.sleep(0.05)
    assert not _connections_from(ports), f"the killed worker's connection stayed: {_db_activity()}"
    pending_after_kill = chunks.pending(MonthClose.objects.get(pk=close.pk))
    received, finished = _task_ids(victim)
    lost = received - finished
    # The kill landed mid-close: chunks were still to apply, the killed worker had done some
    # of the close's chunks and died holding the one it ran.
    assert pending_after_kill, "every chunk was applied when the worker died: nothing was proved"
    assert chunk_count // 4 <= applied_at_kill < chunk_count, applied_at_kill
    assert finished, "the killed worker took no part in the close before it died"
    assert len(lost) == 1, f"the killed worker held {len(lost)} tasks, expected the one it ran"

    # The close is run again (as `elearn_close_period` or the tick would): it re-sends every
    # pending chunk, including those still queued for the surviving worker, which runs them
    # twice.
    states = runner.close_through(
        mar, policy, digest, runner="celery", now=now, wait_seconds=WAIT_SECONDS
    )
    assert [s.status for s in states] == [CloseStatus.CLOSED] * 3, _logs(celery_worker_pair)
    elapsed = time.monotonic() - started
    survivor_received, _ = _task_ids(survivor)
    assert lost.isdisjoint(survivor_received), "the lost task was redelivered, not sent again"

    after = snapshot()
    assert not _differences(clean, after), "\n".join(_differences(clean, after))
    # Every chunk judged once: one chunk_judged event per chunk of each month.
    judged = Counter(
        (target, data["first_user_id"])
        for target, data in AuditEvent.objects.filter(verb="month_close.chunk_judged").values_list(
            "target", "data"
        )
    )
    assert sum(judged.values()) == 3 * chunk_count and set(judged.values()) == {1}
    # Every chunk applied, once per learner and rule (P-21, P-22, P-23): the outbox's keys
    # are unique, so the same count as the clean run means nothing lost and nothing doubled.
    assert not CloseChunk.objects.filter(applied_at__isnull=True).exists()
    assert Counter(OutboxMessage.objects.values_list("message_type", flat=True)) == clean_mail
    assert Sanction.objects.count() == AuditEvent.objects.filter(verb="sanction.imposed").count()
    assert elapsed < 2 * WAIT_SECONDS
