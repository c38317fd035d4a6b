"""`manage.py elearn_tick [--only JOB]`: run the periodic jobs once (for cron), print JSON.

Safe to run often and twice at once: each job runs under its lock. Exits 1 when a job failed.
"""

import json
import sys

from django.core.management.base import CommandError

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.tick.services import UnknownJob, run_tick


class Command(AuditedCommand):
    help = "Run the e-learning periodic jobs once and print a JSON summary."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--only", action="append", metavar="JOB", help="run only this job (repeatable)"
        )

    def handle(self, *args, **options) -> None:
        try:
            report = run_tick(only=options["only"])
        except UnknownJob as exc:
            raise CommandError(str(exc))
        self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        if not report.ok:
            sys.exit(1)
