"""`manage.py elearn_close_period --period 2026-10`: close a month (and every earlier one).

Closes, in order, every unclosed month since the policy's `effective_from` up to the one
named, and waits for its chunks. Exit 0 when the month is closed (or was already: then
nothing changes), 3 when the guard holds it for HR (run again with `--confirm` once HR
agrees), 2 on bad input (an unknown or unended month, a broken policy file), 1 when the
chunks did not finish within `--timeout` seconds (run it again: done chunks are kept).

`--dry-run` prints the standing rows the configured policy gives for that month and writes
nothing; `--policy OTHER.yaml` implies it and shows what another policy would decide.
"""

import json
import sys

from django.core.management.base import CommandError
from django.utils import timezone

from elearn_plugin.conf import setting
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.month_close import report, runner
from elearn_plugin.month_close.models import CloseStatus
from elearn_plugin.month_close.services import CloseError
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.policy.runtime import file_digest, load_configured_policy
from elearn_plugin.policy.schema import PolicyError

HELD = 3
BAD_INPUT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


class Command(AuditedCommand):
    help = "Close a month of the training policy (and every earlier unclosed one), in order."
    # A broken policy file is this command's bad input (exit 2, the file's problems listed),
    # not a failed system check (exit 1).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, e.g. 2026-10")
        parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
        parser.add_argument(
            "--policy", default=None, help="judge with this policy file instead (implies --dry-run)"
        )
        parser.add_argument(
            "--confirm", action="store_true", help="apply a close the guard held (HR agreed)"
        )
        parser.add_argument(
            "--timeout", type=float, default=1800.0, help="seconds to wait for Celery chunks"
        )

    def _policy(self, path):
        try:
            if path:
                return load_policy(path), file_digest(path)
            return load_configured_policy(), file_digest()
        except PolicyError as exc:
            raise _bad("The policy file is not valid:\n" + str(exc)) from None
        except OSError as exc:
            raise _bad(f"The policy file cannot be read ({type(exc).__name__}).") from None

    def handle(self, *args, period, dry_run=False, policy=None, confirm=False, **options):
        now = timezone.now()
        chosen, digest = self._policy(policy)
        try:
            month = runner.target_month(period, chosen, now)
        except CloseError as exc:
            raise _bad(str(exc)) from None
        if dry_run or policy:
            data = report.standing_report(month, chosen, digest, now, preview=True)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        try:
            states = runner.close_through(
                month,
                chosen,
                digest,
                runner=setting("ELEARN_RULES_RUNNER"),
                now=now,
                confirm_actor=None if not confirm else _confirming_actor(),
                wait_seconds=float(options["timeout"]),
            )
        except CloseError as exc:
            raise _bad(str(exc)) from None
        for state in states:
            self.stdout.write(
                f"{state.period}: {state.status} - {state.learners} learners, "
                f"{state.warnings} quota warnings, {state.suspensions} suspensions, "
                f"{state.revocations} revocations (policy {state.policy_hash[:12]})"
            )
        last = states[-1] if states else None
        if last is None or (last.period == month.label and last.status == CloseStatus.CLOSED):
            self.stdout.write(f"{month.label} is closed.")
            return
        if last.status == CloseStatus.HELD:
            self.stderr.write(
                f"{last.period} is held: it would suspend or revoke more learners than the "
                "policy's month_close.guard allows. Check the standings "
                f"(manage.py elearn_report standing --period {last.period}) and run again "
                "with --confirm to apply them."
            )
            sys.exit(HELD)
        self.stderr.write(
            f"{last.period} is still {last.status}: its chunks did not finish in time. "
            "Run the command again; finished chunks are kept."
        )
        sys.exit(1)


def _confirming_actor():
    """The command itself (`command:elearn_close_period`) confirms for the operator."""
    from elearn_plugin.audit import resolve  # noqa: PLC0415

    return resolve(None)
