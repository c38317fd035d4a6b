"""`manage.py elearn_load FILE [--dry-run]` — load an organisation's data file, all or nothing.

The format is described in docs/data-format.md. Every bad record is reported with its
position and nothing is written; loading the same file again changes nothing.
"""

from django.core.management.base import CommandError

from elearn_plugin.loading.writer import LoadError, load_file
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.policy.schema import PolicyNotConfigured


class Command(AuditedCommand):
    help = (
        "Load units, job roles, people (with their hire and leaving dates), transfers, "
        "contacts, courses, assignments, completions, learning time, classroom sessions and "
        "sanctions from a YAML or JSON file (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .yaml, .yml or .json file (see docs/data-format.md)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, then write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        try:
            tz = get_policy().tz
        except PolicyNotConfigured as exc:
            raise CommandError(f"The policy is not configured:\n{exc}")
        try:
            report = load_file(file, tz, dry_run=dry_run)
        except LoadError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was loaded.")
        for section, count in report.records.items():
            if count:
                new = report.created.get(section, 0)
                self.stdout.write(f"{section}: {count} record(s), {new} new")
        if report.history_changed:
            self.stdout.write(
                f"history: {report.history_changed} person(s) with new dates or units"
            )
        if dry_run:
            self.stdout.write("Dry run: the file is valid; nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded; {report.total_created} new record(s)."))
