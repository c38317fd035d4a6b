"""`manage.py elearn_sync_roster [--dry-run] [--csv FILE] [--confirm]` — sync with HR's roster.

Reads the roster from the HR system (`ELEARN_ROSTER_URL`, through `ELEARN_ROSTER_CLIENT`) or
from a CSV file, prints what it changes (counts and employee ids per kind) and applies it
all or nothing (P-2, P-6, P-7). Exit 0 when applied or nothing is to do, 2 on bad input (an
unreadable file, a source error, bad records: each with its line), 3 when the guard holds
the sync for HR's confirmation (run again with `--confirm`), 1 when applying failed (rolled
back and recorded as a failed sync). The format is in docs/data-format.md.
"""

import sys

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.org.errors import OrgError
from elearn_plugin.policy.schema import PolicyNotConfigured
from elearn_plugin.roster import summary

BAD_INPUT = 2
HELD = 3


class Command(AuditedCommand):
    help = (
        "Sync the organisation's people with HR's roster: hires, transfers, departures, "
        "job role changes and returns (all or nothing; large departures wait for --confirm)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", dest="csv_path", help="read the roster from this CSV file instead"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the changes, change nothing"
        )
        parser.add_argument(
            "--confirm", action="store_true", help="apply a sync the guard holds (HR agreed)"
        )

    def handle(self, *args, csv_path=None, dry_run=False, confirm=False, **options):
        from elearn_plugin.roster.services import RosterApplyError, sync_roster  # noqa: PLC0415
        from elearn_plugin.roster.sources import (  # noqa: PLC0415
            CsvRosterSource,
            RosterSourceError,
            configured_client,
        )

        if dry_run and confirm:
            raise CommandError(_("Use --dry-run or --confirm, not both."), returncode=BAD_INPUT)
        try:
            if csv_path:
                source = CsvRosterSource(csv_path)
            elif setting("ELEARN_ROSTER_URL") or setting("ELEARN_ROSTER_CLIENT") != (
                "elearn_plugin.roster.sources.RestRosterClient"
            ):
                source = configured_client()
            else:
                raise CommandError(
                    _("No roster source: give --csv FILE or set ELEARN_ROSTER_URL."),
                    returncode=BAD_INPUT,
                )
            report = sync_roster(source, dry_run=dry_run, confirm=confirm)
        except PolicyNotConfigured as exc:
            raise CommandError(
                _("The policy is not configured:\n{problems}").format(problems=exc),
                returncode=BAD_INPUT,
            )
        except (RosterSourceError, RosterApplyError) as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc), returncode=BAD_INPUT)
        except (OrgError, ValueError) as exc:  # LifecycleError is a ValueError
            raise CommandError(
                _("Applying the roster failed: {error} Nothing was changed.").format(error=exc),
                returncode=1,
            )
        except (DatabaseError, ImportError) as exc:
            raise CommandError(
                _("Applying the roster failed ({error}); nothing was changed.").format(
                    error=type(exc).__name__
                ),
                returncode=1,
            )
        self._print(report)
        if report.status == "held":
            self.stderr.write(
                _(
                    "Held for HR's confirmation ({reason}): nothing was changed. Check the "
                    "changes above, then run the command again with --confirm to apply them."
                ).format(reason=summary.reason_text(report.reason))
            )
            sys.exit(HELD)
        if report.status == "dry_run":
            self.stdout.write(_("Dry run: nothing was changed."))
        elif report.status == "nothing":
            self.stdout.write(_("Nothing to do: the people match the roster."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Applied.")))

    def _print(self, report) -> None:
        d = report.diff
        self.stdout.write(
            _("Roster: {count} people ({source}); {active} active here.").format(
                count=d.roster_count, source=report.source, active=report.active_count
            )
        )
        for kind in summary.kinds(report):
            line = f"{kind.label}: {kind.count}"
            if kind.shown:
                line += " — " + ", ".join(kind.shown)
                if kind.more:
                    line += " " + _("(and {more} more)").format(more=kind.more)
            self.stdout.write(line)
        if report.reason and report.status != "held":
            self.stdout.write(
                _("Guard: {reason}").format(reason=summary.reason_text(report.reason))
            )
