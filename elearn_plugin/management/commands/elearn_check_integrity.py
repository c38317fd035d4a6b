"""`manage.py elearn_check_integrity [--expect-head POSITION:HMAC] [--json]`: after a restore.

Checks that every plugin row's user, row and course exist, that the audit chain verifies
(and holds the head kept outside the database), and that month closes and the outbox are
in states their writers leave. One line per problem: the check, the table, the count and up
to five example ids (no personal data). Exit 0 when all is well, 1 with problems, 2 on bad
usage. See docs/backup.md for the drill.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import CommandError

from elearn_plugin.integrity.services import run_checks
from elearn_plugin.management.base import AuditedCommand

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def parse_head(value: str) -> tuple[int, str]:
    """`POSITION:HMAC` as `elearn_verify_audit` prints it (after `chain head: `)."""
    seq, sep, mac = value.strip().removeprefix("chain head:").strip().partition(":")
    if not sep or not seq.isdigit() or len(mac) != 64:
        raise CommandError(
            "--expect-head must read POSITION:HMAC, as elearn_verify_audit prints it",
            returncode=EXIT_USAGE,
        )
    return int(seq), mac.lower()


class Command(AuditedCommand):
    help = "Check the plugin's data after a restore; exit 1 naming each problem."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--expect-head",
            default=None,
            metavar="POSITION:HMAC",
            help="the audit chain head kept outside the database when the backup was taken",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args, expect_head=None, as_json=False, **options) -> None:
        head = parse_head(expect_head) if expect_head else None
        report = run_checks(expect_head=head)
        if as_json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            for problem in report.problems:
                self.stdout.write(f"PROBLEM {problem.line()}")
            for note in report.notes:
                self.stdout.write(f"note: {note}")
            self.stdout.write(
                f"{len(report.checked)} checks, {len(report.problems)} problem(s)"
                + ("" if report.problems else ": the data is consistent")
            )
        if report.problems:
            sys.exit(EXIT_PROBLEMS)


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)
