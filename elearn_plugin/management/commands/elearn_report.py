"""`manage.py elearn_report standing --period 2026-10 [--format json|csv] [--unit CODE]
[--output F]`: a report of the training records, for HR and scripts.

`standing` lists each learner's standing in a month: the stored standings once the month is
judged (`closed` says whether the close is complete), else what the configured policy decides
now. `--unit` keeps a unit and the units under it. The report goes to stdout, or with
`--output` to a file that is replaced only once the whole report is written.

Exit 0 when the report is written, 2 on bad input (an unknown report, a missing, malformed or
unended month, an unknown unit, an unknown format, a broken policy file, an output path that
cannot be written), with one line on stderr that names no learner (P-32).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.month_close import runner
from elearn_plugin.month_close.report import COLUMNS, ReportError, standing_report
from elearn_plugin.month_close.services import CloseError
from elearn_plugin.policy.runtime import file_digest, load_configured_policy
from elearn_plugin.policy.schema import Policy, PolicyError
from elearn_plugin.reports.output import replacing, write_csv, write_json

BAD_INPUT = 2
FORMATS = ("json", "csv")


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def _policy() -> tuple[Policy, str]:
    try:
        return load_configured_policy(), file_digest()
    except PolicyError as exc:
        raise _bad(
            _(
                "The policy file is not valid (%(count)d problem(s)); "
                "manage.py elearn_check_policy lists them."
            )
            % {"count": len(exc.problems)}
        ) from None
    except OSError as exc:
        raise _bad(
            _("The policy file cannot be read (%(error)s).") % {"error": type(exc).__name__}
        ) from None


def _standing(options: dict[str, Any], now: datetime) -> tuple[dict, Sequence[str]]:
    policy, digest = _policy()
    try:
        month = runner.target_month(options["period"], policy, now)
    except CloseError as exc:
        raise _bad(str(exc)) from None
    try:
        data = standing_report(month, policy, digest, now, unit_code=options["unit"])
    except ReportError:
        raise _bad(_("No unit has the code %(code)s.") % {"code": options["unit"]}) from None
    return data, COLUMNS


# Each report: options and the time -> (the JSON document, the CSV columns of its "rows").
REPORTS: dict[str, Callable[[dict[str, Any], datetime], tuple[dict, Sequence[str]]]] = {
    "standing": _standing,
}


class Command(AuditedCommand):
    help = "Write a report (standing: each learner's standing in a month) as JSON or CSV."
    # The system checks load the policy too: a broken file must give this command's exit 2
    # and one line, not the checks' exit 1 and every problem. The report writes nothing.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        """Bad arguments exit with 2 under `call_command` too, as argparse does on a shell."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        argparse_error = parser.error

        def error(message: str):
            if parser.called_from_command_line:
                argparse_error(message)  # usage and the message on stderr, exit 2
            raise _bad(_("Error: %(message)s") % {"message": message})

        parser.error = error
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument("report", choices=sorted(REPORTS), help="which report")
        parser.add_argument("--period", required=True, help="the month, e.g. 2026-10")
        parser.add_argument(
            "--format", dest="output_format", choices=FORMATS, default="json", help="json or csv"
        )
        parser.add_argument(
            "--unit", default=None, help="only this unit's code and the units under it"
        )
        parser.add_argument(
            "--output", default=None, help="write to this file (replaced whole) not stdout"
        )

    def handle(self, *args, report: str, output_format: str = "json", **options) -> None:
        # call_command(format=...) skips argparse's choices, so both are checked here too.
        if report not in REPORTS:
            raise _bad(_("Unknown report %(report)s.") % {"report": report})
        if output_format not in FORMATS:
            raise _bad(
                _("Unknown format %(format)s (use json or csv).") % {"format": output_format}
            )
        data, columns = REPORTS[report](options, timezone.now())

        def render(stream) -> None:
            if output_format == "csv":
                write_csv(columns, data["rows"], stream)
            else:
                write_json(data, stream)

        path = options.get("output")
        if not path:
            buffer = io.StringIO()
            render(buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with replacing(path) as stream:
                render(stream)
        except OSError as exc:
            raise _bad(
                _("Cannot write %(path)s (%(error)s).")
                % {"path": path, "error": exc.strerror or type(exc).__name__}
            ) from None
