"""`manage.py elearn_health`: print the health report as JSON; exit 1 when unhealthy."""

import json
import sys

from django.core.management.base import BaseCommand

from elearn_plugin.tick.services import health


class Command(BaseCommand):
    help = "Print the e-learning health report (tick, outbox, periods) as JSON."

    def handle(self, *args, **options) -> None:
        report = health()
        self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        if not report["healthy"]:
            sys.exit(1)
