"""`manage.py elearn_health`: print the health report as JSON; exit 1 when unhealthy."""

import json
import sys

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.tick.services import health


class Command(AuditedCommand):
    help = "Print the e-learning health report (tick, outbox, periods) as JSON."

    def handle(self, *args, **options) -> None:
        report = health()
        self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        if not report["healthy"]:
            sys.exit(1)
