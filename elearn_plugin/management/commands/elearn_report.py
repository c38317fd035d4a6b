"""`manage.py elearn_report REPORT --period P [--format json|csv|xlsx|html] [--unit CODE]
[--output F] [--language L]`: the training records for HR, the newsletter and scripts.

- `standing --period 2026-10`: each learner's standing in a month (stored once judged, else
  what the configured policy decides now).
- `ranking --period 2026-Q3`: the frozen ranking of a month, quarter (Q1..Q4), half-year
  (H1, H2) or year, rows by rank, with the `corrections` recorded since it was frozen; `html`
  is the company newsletter's fragment; the XLSX of a half-year or year adds the appraisal
  sheet of every learner judged in it.
- `appraisal --period 2026-H1`: that sheet alone (any closed ranking period).
- `hours --period 2026-10`: each unit's online, offline, counted and excess hours (P-24).

`--unit` keeps a unit and the units under it. The report goes to stdout, or with `--output`
to a file replaced only once the whole report is written; XLSX needs `--output`.

Exit 0 when the report is written, 2 on bad input (an unknown report, period, unit or
format, a period not closed, a broken policy file, an output path that cannot be written),
with one line on stderr that names no learner (P-32).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elearn_plugin.hours.report import COLUMNS as HOURS_COLUMNS
from elearn_plugin.hours.report import HoursReportError, hours_report
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.month_close import runner
from elearn_plugin.month_close.report import COLUMNS, ReportError, standing_report
from elearn_plugin.month_close.services import CloseError
from elearn_plugin.org.models import Unit
from elearn_plugin.policy.runtime import file_digest, load_configured_policy
from elearn_plugin.policy.schema import Policy, PolicyError
from elearn_plugin.rankings.report import (
    APPRAISAL_COLUMNS,
    APPRAISAL_KINDS,
    CORRECTION_COLUMNS,
    appraisal_rows,
    ranking_report,
)
from elearn_plugin.rankings.report import COLUMNS as RANKING_COLUMNS
from elearn_plugin.rankings.services import RankingError, is_closed
from elearn_plugin.reports.output import replacing, write_csv, write_json, write_xlsx
from elearn_plugin.rules.periods import Period, period_from_label

BAD_INPUT = 2
FORMATS = ("json", "csv", "xlsx", "html")


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


@dataclass
class Report:
    """A report's JSON document, the sheets of its tables (the first is the CSV), and the
    newsletter fragment where it has one."""

    data: dict
    sheets: list[tuple[str, Sequence[str], list[dict]]]
    html: Callable[[], str] | None = None


def _standing(options: dict[str, Any], now: datetime) -> Report:
    policy, digest = _policy()
    try:
        month = runner.target_month(options["period"], policy, now)
    except CloseError as exc:
        raise _bad(str(exc)) from None
    try:
        data = standing_report(month, policy, digest, now, unit_code=options["unit"])
    except ReportError:
        raise _bad(_("No unit has the code %(code)s.") % {"code": options["unit"]}) from None
    return Report(data, [("Standing", COLUMNS, data["rows"])])


def _label(options: dict[str, Any], policy: Policy) -> Period:
    try:
        return period_from_label(options["period"], policy.tz)
    except ValueError:
        raise _bad(
            _("%(label)s is not a period (use e.g. 2026-10, 2026-Q3, 2026-H1 or 2026).")
            % {"label": options["period"]}
        ) from None


def _unit_error(options: dict[str, Any]) -> CommandError:
    return _bad(_("No unit has the code %(code)s.") % {"code": options["unit"]})


def _newsletter(data: dict, language: str) -> Callable[[], str]:
    names = dict(Unit.objects.values_list("code", "name"))
    rows = [dict(row, unit_name=names.get(row["unit"], row["unit"])) for row in data["rows"]]

    def render() -> str:
        local = timezone.localtime(data["frozen_at"]).date().isoformat()
        return render_to_string(
            "elearn_plugin/fragments/ranking_newsletter.html",
            {
                "period_name": data["period"],
                "top_n": data["top_n"],
                "rows": rows,
                "frozen_on": local,
                "shared": data["ties"] == "share",
                "language": language,
            },
        )

    return render


def _ranking(options: dict[str, Any], now: datetime) -> Report:
    policy, _digest = _policy()
    period = _label(options, policy)
    try:
        data = ranking_report(period, policy, unit_code=options["unit"])
    except RankingError as exc:
        if options["unit"] is not None and "unit" in str(exc):
            raise _unit_error(options) from None
        raise _bad(_ranking_message(period, policy)) from None
    sheets = [("Ranking", RANKING_COLUMNS, data["rows"])]
    sheets.append(("Corrections", CORRECTION_COLUMNS, data["corrections"]))
    if period.kind in APPRAISAL_KINDS:
        rows = appraisal_rows(period, policy, unit_code=options["unit"])
        sheets.append(("Appraisal", APPRAISAL_COLUMNS, rows))
    return Report(data, sheets, _newsletter(data, options["language"]))


def _ranking_message(period: Period, policy: Policy) -> str:
    if period.kind not in policy.rankings.periods:
        return _("The policy publishes no ranking for a period like %(label)s.") % {
            "label": period.label
        }
    if not is_closed(period, policy):
        return _(
            "%(label)s is not closed yet: its ranking is published when its last month closes."
        ) % {"label": period.label}
    return _(
        "%(label)s is closed but its ranking is not frozen yet; the next elearn_tick freezes it."
    ) % {"label": period.label}


def _appraisal(options: dict[str, Any], now: datetime) -> Report:
    policy, _digest = _policy()
    period = _label(options, policy)
    if not is_closed(period, policy):
        raise _bad(_ranking_message(period, policy))
    try:
        rows = appraisal_rows(period, policy, unit_code=options["unit"])
    except RankingError:
        raise _unit_error(options) from None
    data = {"period": period.label, "kind": period.kind, "rows": rows}
    return Report(data, [("Appraisal", APPRAISAL_COLUMNS, rows)])


def _hours(options: dict[str, Any], now: datetime) -> Report:
    policy, _digest = _policy()
    period = _label(options, policy)
    if period.kind != "month":
        raise _bad(_("%(label)s is not a month (use e.g. 2026-10).") % {"label": period.label})
    try:
        data = hours_report(period, policy, unit_code=options["unit"])
    except HoursReportError:
        raise _unit_error(options) from None
    return Report(data, [("Hours", HOURS_COLUMNS, data["rows"])])


# Each report: options and the time -> the report; and the formats it can be written in.
REPORTS: dict[str, Callable[[dict[str, Any], datetime], Report]] = {
    "standing": _standing,
    "ranking": _ranking,
    "appraisal": _appraisal,
    "hours": _hours,
}
HTML_REPORTS = ("ranking",)


class Command(AuditedCommand):
    help = (
        "Write a report (standing, ranking, appraisal, hours) as JSON, CSV, XLSX or, for the"
        " ranking, the newsletter's HTML."
    )
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
        parser.add_argument(
            "--period",
            required=True,
            help="a month (2026-10), quarter (2026-Q3), half-year"
            " (2026-H1) or year (2026); standing and hours take a month",
        )
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=FORMATS,
            default="json",
            help="json, csv, xlsx (with --output) or html (ranking)",
        )
        parser.add_argument(
            "--language",
            default=None,
            help="language of the HTML and the messages, e.g. zh-cn or en (the site's default)",
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
        if output_format not in FORMATS or (output_format == "html" and report not in HTML_REPORTS):
            raise _bad(
                _("Unknown format %(format)s for this report (use json, csv or xlsx).")
                % {"format": output_format}
            )
        language = options.get("language") or settings.LANGUAGE_CODE
        if language not in {code for code, _name in settings.LANGUAGES}:
            raise _bad(_("Unknown language %(language)s.") % {"language": language})
        options.setdefault("unit", None)
        options["language"] = language
        path = options.get("output")
        if output_format == "xlsx" and not path:
            raise _bad(_("An XLSX report is a file: name it with --output."))
        with translation.override(language):
            built = REPORTS[report](options, timezone.now())
            self._write(built, output_format, path)

    def _write(self, built: Report, output_format: str, path: str | None) -> None:
        def render(stream) -> None:
            if output_format == "csv":
                _title, columns, rows = built.sheets[0]
                write_csv(columns, rows, stream)
            elif output_format == "xlsx":
                write_xlsx(built.sheets, stream)
            elif output_format == "html":
                stream.write(built.html())
            else:
                write_json(built.data, stream)

        if not path:
            buffer = io.StringIO()
            render(buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with replacing(path, binary=output_format == "xlsx") as stream:
                render(stream)
        except OSError as exc:
            raise _bad(
                _("Cannot write %(path)s (%(error)s).")
                % {"path": path, "error": exc.strerror or type(exc).__name__}
            ) from None
