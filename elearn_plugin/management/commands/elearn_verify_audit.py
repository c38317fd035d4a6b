"""`manage.py elearn_verify_audit`: seal what committed, verify the chain, print its head.

Exit 0 when the chain is intact, 1 when a row was edited, deleted or reordered by hand (the
first such row is named), 2 when no audit key is configured. Keep the printed head outside
the database and pass it back with `--expect-head` to detect the newest rows being deleted.
"""

import sys

from django.core.management.base import CommandError

from elearn_plugin.audit import chain
from elearn_plugin.management.base import AuditedCommand


def _head(value: str) -> tuple[int, str]:
    seq, sep, mac = value.partition(":")
    if not sep or not seq.isdigit() or len(mac) != 64:
        raise CommandError("--expect-head must read POSITION:HMAC, as this command prints it")
    return int(seq), mac


class Command(AuditedCommand):
    help = "Verify the audit trail's HMAC chain from the last verified row (or --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="walk the whole chain")
        parser.add_argument(
            "--expect-head", default=None, metavar="POSITION:HMAC", help="a head kept earlier"
        )
        parser.add_argument("--no-seal", action="store_true", help="verify only, seal nothing")

    def handle(self, *args, full=False, expect_head=None, no_seal=False, **options):
        expected = _head(expect_head) if expect_head else None
        try:
            sealed = 0 if no_seal else chain.seal()
            result = chain.verify(full=full, expect_head=expected)
        except chain.AuditKeyMissing as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        self.stdout.write(f"sealed now: {sealed}; verified: {result.checked} rows")
        seq, mac = chain.head()
        self.stdout.write(f"chain head: {seq}:{mac}")
        if not result.ok:
            self.stderr.write(f"AUDIT TRAIL BROKEN: {result.problem}")
            sys.exit(1)
        self.stdout.write("audit trail intact")
