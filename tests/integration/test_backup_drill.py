"""The backup drill of docs/backup.md on MariaDB, with its own dump and restore tools (P-33).

Data written through the services (a closed quarter, completions and credits, mail in the
outbox, a sealed audit trail) is dumped with `mariadb-dump --single-transaction`, loaded
into a fresh database with the `mariadb` client, and `manage.py elearn_check_integrity`
runs against the restored copy in a process of its own with the audit head kept outside:
exit 0. The restored copy is then broken as a bad restore would leave it (an account row
gone, an audit row edited) and the check exits 1 naming each problem.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from elearn_plugin.audit import chain
from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    CoursePolicySpec,
    assign_bulk,
    record_completions_bulk,
    save_course_policy,
)
from elearn_plugin.month_close import runner
from elearn_plugin.outbox.services import enqueue
from elearn_plugin.policy.runtime import file_digest
from elearn_plugin.rules.periods import period_from_label
from tests.integration.conftest import ROOT, subprocess_env, unavailable
from tests.unit.month_close import conftest as close_fixtures
from tests.unit.month_close.conftest import POLICY, R1, TZ, local

TIMEOUT = 300
# The month-close suite's fixtures: required courses, a unit tree and learners in it.
courses, people, units = close_fixtures.courses, close_fixtures.people, close_fixtures.units


def _tool(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    unavailable(f"none of {', '.join(names)} is installed (apt-get install mariadb-client)")
    raise AssertionError  # unreachable: unavailable() skips or fails


def _connection_args() -> list[str]:
    db = settings.DATABASES["default"]
    args = [
        f"--host={db.get('HOST') or '127.0.0.1'}",
        f"--port={db.get('PORT') or 3306}",
        f"--user={db.get('USER') or 'root'}",
    ]
    if db.get("PASSWORD"):
        args.append(f"--password={db['PASSWORD']}")
    return args


def _client(client: str, sql: str, database: str | None = None, stdin=None) -> None:
    cmd = [client, *_connection_args(), *([database] if database else [])]
    if sql:
        cmd += ["-e", sql]
    subprocess.run(cmd, stdin=stdin, check=True, timeout=TIMEOUT, capture_output=stdin is None)  # noqa: S603


def _check(db_name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "elearn_check_integrity", *args],
        cwd=ROOT,
        env=subprocess_env(db_name),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture
def restored_name(test_db_name):
    """A fresh database beside the test database, dropped afterwards."""
    client = _tool("mariadb", "mysql")
    name = f"{test_db_name}_restored"
    _client(
        client, f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
    )
    yield name
    _client(client, f"DROP DATABASE IF EXISTS `{name}`")


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_a_database_that_checks_clean_and_finds_a_broken_one(
    test_db_name,
    restored_name,
    courses,
    people,
    make_user,
    tmp_path,
):
    dump_tool, client = _tool("mariadb-dump", "mysqldump"), _tool("mariadb", "mysql")
    learners = people(6, local(2025, 12, 1))
    runner.close_through(
        period_from_label("2026-03", TZ),
        POLICY,
        file_digest(),
        runner="inline",
        now=local(2026, 4, 1, 0, 5),
    )
    save_course_policy(CoursePolicySpec(R1, "r1", Decimal("2"), "required", "internal"))
    assign_bulk([AssignmentSpec(uid, R1, local(2026, 5, 1)) for uid in learners])
    record_completions_bulk([CompletionSpec(uid, R1, local(2026, 4, 20)) for uid in learners])
    with transaction.atomic():
        for uid in learners:
            enqueue(
                f"drill:{uid}",
                "quota_warning",
                uid,
                {"period": "2026-04", "completed": 1, "required": 2},
            )
    # The backup: seal and keep the head outside the database, then dump one snapshot.
    chain.seal()
    seq, mac = chain.head()
    assert seq > 20
    dump = tmp_path / "elearn.sql"
    with dump.open("wb") as out:
        subprocess.run(  # noqa: S603
            [dump_tool, *_connection_args(), "--single-transaction", "--routines", test_db_name],
            stdout=out,
            check=True,
            timeout=TIMEOUT,
        )
    # The restore, into a fresh database, with the client tool.
    with dump.open("rb") as source:
        _client(client, "", restored_name, stdin=source)

    result = _check(restored_name, "--expect-head", f"{seq}:{mac}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout

    # A broken restore: an account row lost, an audit row edited by hand.
    gone = learners[2]
    _client(
        client,
        "SET FOREIGN_KEY_CHECKS=0; "
        f"DELETE FROM auth_user WHERE id = {gone}; "
        "UPDATE elearn_plugin_auditevent SET data = JSON_SET(data, '$.count', 999) WHERE seq = 3;",
        restored_name,
    )
    result = _check(restored_name, "--expect-head", f"{seq}:{mac}", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    named = {(p["check"], p["table"]) for p in report["problems"]}
    for table in (
        "elearn_plugin_standing.user_id",
        "elearn_plugin_coursecompletion.user_id",
        "elearn_plugin_outboxmessage.user_id",
        "elearn_plugin_membership.user_id",
    ):
        assert ("missing_user", table) in named, named
    broken = [p for p in report["problems"] if p["check"] == "audit_chain_broken"]
    assert broken and "position 3" in broken[0]["detail"]
    counts = {p["table"]: p["count"] for p in report["problems"] if p["check"] == "missing_user"}
    assert counts["elearn_plugin_standing.user_id"] == 3  # one standing per closed month
    assert counts["elearn_plugin_coursecompletion.user_id"] == 1
    assert {p["example_ids"][0] for p in report["problems"] if p["table"].endswith(".user_id")}
