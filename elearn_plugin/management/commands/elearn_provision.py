"""`manage.py elearn_provision --csv FILE`: HR creates learner accounts in bulk (P-2).

Exit status 2 when any row is bad (every bad row is listed; nothing is imported). New
accounts' initial passwords go only to the passwords file, created with mode 0600.
"""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.org.passwords import IssuedPassword
from elearn_plugin.org.provisioning_rows import read_rows
from elearn_plugin.org.services import OrgError, provision


class PasswordFile:
    """Writes the hand-out file once, exclusively, readable by its owner only."""

    def __init__(self, path: Path):
        self.path = path
        self.written = False

    def __call__(self, issued: list[IssuedPassword]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        self.written = True
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["employee_id", "username", "password"])
            writer.writerows([p.employee_id, p.username, p.password] for p in issued)
            handle.flush()
            os.fsync(handle.fileno())

    def discard(self) -> None:
        """The import was rolled back: passwords of accounts that do not exist must go."""
        if self.written:
            self.path.unlink(missing_ok=True)
            self.written = False


class Command(AuditedCommand):
    help = "Create learner accounts in bulk from a CSV file (P-2)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--csv", required=True, dest="csv_path", help="UTF-8 CSV file")
        parser.add_argument(
            "--update", action="store_true", help="apply changed rows of existing people"
        )
        parser.add_argument(
            "--passwords-out",
            dest="passwords_out",
            help="file for the new accounts' passwords (default var/passwords-<time>.csv)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, change nothing"
        )

    def handle(self, *args, csv_path: str, update: bool, passwords_out, dry_run: bool, **kw):
        try:
            data = Path(csv_path).read_bytes()
        except OSError:
            raise CommandError(_("Cannot read the CSV file."), returncode=2)
        rows, problems = read_rows(data)
        if problems:
            self._fail(problems)

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(passwords_out) if passwords_out else Path("var") / f"passwords-{stamp}.csv"
        if target.exists():
            raise CommandError(_("The passwords file already exists."), returncode=2)
        sink = PasswordFile(target)
        try:
            report = provision(rows, update=update, actor=None, dry_run=dry_run, password_sink=sink)
        except (IntegrityError, OrgError):
            sink.discard()
            raise CommandError(
                _("The accounts changed while importing; nothing was imported. Run it again."),
                returncode=1,
            )
        except BaseException:
            sink.discard()
            raise
        if not report.ok:
            self._fail(report.problems)

        for change in report.changes:
            self.stdout.write(
                _("line {line}: changed {fields}{hint}").format(
                    line=change.line,
                    fields=", ".join(change.fields),
                    hint="" if update else _(" (not applied: use --update)"),
                )
            )
        self.stdout.write(
            _(
                "created {created}, updated {updated}, unchanged {unchanged}, reported {reported}"
            ).format(
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                reported=report.reported,
            )
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        elif sink.written:
            self.stdout.write(_("Initial passwords written to {path}").format(path=sink.path))

    def _fail(self, problems) -> None:
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(
            _("{count} problem(s) found; nothing was imported.").format(count=len(problems)),
            returncode=2,
        )
