"""Every staff table as a CSV or XLSX download, streamed, with the report rules.

The rules are those of `elearn_report` (`elearn_plugin.reports.output`): CSV is UTF-8 with
a byte order mark and text cells that would start a formula are escaped; XLSX stores text as
string cells. Rows come from an iterator and are never held all at once: CSV goes out line
by line (`StreamingHttpResponse`), XLSX is written by openpyxl's write-only mode into a
temporary file that spills to disk past a few megabytes and is then streamed from there, so
an export of 200k learners costs the same memory as one of 200.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse

from elearn_plugin.reports.output import BOM, csv_cell, write_xlsx

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SPOOL_BYTES = 4 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExportFormatError(ValueError):
    """An export asked for a format other than csv or xlsx."""


class _Line:
    """The file-like object csv.writer writes one line into, handed back as a string."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[str], labels: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> Iterator[str]:
    """The BOM and header line, then one line per row, escaped as every report is."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow([csv_cell(label) for label in labels])
    for row in rows:
        yield writer.writerow([csv_cell(row[column]) for column in columns])


def file_name(stem: str, fmt: str) -> str:
    """An ASCII file name: unit codes are slugs, but a stem is never trusted into a header."""
    safe = _SAFE_NAME.sub("-", stem).strip("-.") or "export"
    return f"{safe[:100]}.{fmt}"


def table_response(
    fmt: str,
    stem: str,
    columns: Sequence[str],
    labels: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet: str = "Sheet1",
) -> HttpResponseBase:
    """The download of one table: `columns` are the row keys, `labels` the header cells."""
    if fmt not in FORMATS:
        raise ExportFormatError(fmt)
    if len(columns) != len(labels):
        raise ValueError("one label per column")
    name = file_name(stem, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(columns, labels, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed by the response
        labelled = (
            {label: row[column] for column, label in zip(columns, labels, strict=True)}
            for row in rows
        )
        write_xlsx([(sheet, list(labels), labelled)], spool)
        spool.seek(0)
        response = FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
