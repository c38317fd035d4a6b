"""`manage.py elearn_subject_access --user <username or id> --output FILE.json`: everything the
plugin holds about one learner, for HR answering a subject-access request (P-32).

The file is JSON (`elearn-subject-access/1`): the account's own fields, then every model
annotated as holding personal data with the learner's rows (`privacy.export`). It is written
beside its destination and renamed into place, readable by its owner only (it holds personal
data), so a failure leaves no partial file. The export is audited
(`privacy.subject_access_exported`, counts only). Exit status 2, with a message, for bad
input: no such learner, a user named ambiguously, a destination that cannot be written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.privacy.export import write_export


class Command(AuditedCommand):
    help = "Export everything the plugin holds about one learner as JSON (P-32)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="the learner's username or user id")
        parser.add_argument("--output", required=True, help="the JSON file to write")

    def handle(self, *args, user: str, output: str, **options) -> None:
        user_id = self._user_id(user)
        target = Path(output)
        folder = target.parent if str(target.parent) else Path(".")
        if target.is_dir() or not folder.is_dir():
            raise CommandError(
                _("Cannot write {path}: give a file in an existing folder.").format(path=output),
                returncode=2,
            )
        try:
            handle, temporary = tempfile.mkstemp(prefix=".subject-access-", dir=folder)
        except OSError as exc:
            raise CommandError(
                _("Cannot write {path}: {reason}.").format(path=output, reason=exc.strerror),
                returncode=2,
            )
        try:
            os.chmod(temporary, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                counts = write_export(user_id, out)
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(
                _("Cannot write {path}: {reason}.").format(path=output, reason=exc.strerror),
                returncode=2,
            )
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        rows = sum(counts.values())
        with transaction.atomic():
            audit.record(
                None,
                "privacy.subject_access_exported",
                audit.user_target(user_id),
                {"model_count": len(counts), "row_count": rows},
            )
        self.stdout.write(
            _("Wrote {rows} rows of {models} models to {path}.").format(
                rows=rows, models=len(counts), path=output
            )
        )

    @staticmethod
    def _user_id(value: str) -> int:
        text = (value or "").strip()
        users = get_user_model().objects
        if not text:
            raise CommandError(_("--user needs a username or a user id."), returncode=2)
        found = list(users.filter(username=text).values_list("pk", flat=True)[:2])
        if not found and text.isdigit():
            found = list(users.filter(pk=int(text)).values_list("pk", flat=True))
        if not found:
            # The value is not repeated: a username is personal data, and messages are logged.
            raise CommandError(_("No user has that username or id."), returncode=2)
        return found[0]
