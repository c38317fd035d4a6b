"""Writing a report as JSON, CSV or XLSX, the same way for every `elearn_report` report.

Reports are opened by HR in spreadsheet programs, which read a CSV without a byte order mark
in the machine's legacy code page (mangling Chinese names) and run a cell that starts like a
formula. So CSV is UTF-8 with a BOM and text cells are escaped; JSON is plain UTF-8 (RFC 8259
forbids a BOM) with the characters as they are. In XLSX every text cell is stored as a
string cell (openpyxl would store `=...` as a formula), numbers as numbers. A file is
replaced only once it is complete.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TextIO

from django.core.serializers.json import DjangoJSONEncoder

BOM = "\ufeff"
# A text cell starting with one of these is read as a formula (or a formula's start) by
# Excel, LibreOffice or Google Sheets: a username "=HYPERLINK(...)" would run for HR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"  # not the delimiter: one list stays one cell


def _plain(value: Any) -> str:
    """The text of a value, before escaping: the forms a spreadsheet and a script both read."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int too
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_plain(item) for item in value)
    return str(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: None empty, booleans `true`/`false`, lists joined by `;`, and text that
    would start a formula prefixed with `'` (the spreadsheets' own mark for "this is text").

    Numbers are left as they are, so `-3` stays a number; a text that only looks like one
    (an employee id "-3") is escaped like any other text, since it is not a number to us.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = _plain(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], stream: TextIO) -> None:
    """Write the BOM, a header of `columns`, then one line per row (its values by column).

    A row without one of the columns is an error (KeyError), not an empty cell: a missing
    column is a bug of the report, and an empty cell would hide it. Open a file stream with
    `newline=""`, as the csv module asks, so that line ends stay `\\r\\n`.
    """
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(row[column]) for column in columns])


def write_json(data: dict, stream: TextIO) -> None:
    """Write `data` as one JSON document, non-ASCII characters as they are, and a newline.

    Decimals and datetimes are written as Django writes them elsewhere (strings), so that a
    report with such a value is still written instead of failing half-way.
    """
    json.dump(data, stream, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)
    stream.write("\n")


# Characters XML 1.0 cannot hold: openpyxl refuses a cell with one, so they are dropped.
_XML_ILLEGAL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def xlsx_value(value: Any) -> Any:
    """A cell's value in XLSX: numbers stay numbers, everything else its CSV text, unescaped
    (a string cell cannot run), without the control characters XML cannot hold."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return _plain(value).translate(_XML_ILLEGAL)


def write_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Mapping[str, Any]]]], stream: IO[bytes]
) -> None:
    """Write a workbook with one sheet per `(title, columns, rows)`, a header row first.

    The workbook is written in openpyxl's write-only mode (rows streamed, not held), and
    every text cell gets the string type explicitly, so a name such as `=HYPERLINK(...)`
    reaches HR as the text it is.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - only the XLSX format needs it
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title=title[:31])

        def cells(values: Iterable[Any], sheet=sheet) -> list:
            out = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=xlsx_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                out.append(cell)
            return out

        sheet.append(cells(columns))
        for row in rows:
            sheet.append(cells(row[column] for column in columns))
    book.save(stream)


@contextmanager
def replacing(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO[Any]]:
    """A UTF-8 text stream (or with `binary` a byte stream) whose content becomes the file
    `path` when the block succeeds.

    It writes a temporary file in the same directory (so that the rename stays on one file
    system and is atomic) and renames it over `path` at the end; on any error the temporary
    file is removed and `path` is left as it was, so a reader never sees half a report. The
    file is readable by its owner only (mkstemp's mode 0600): reports name learners. Errors
    opening, writing or renaming are `OSError`.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        opened = (
            os.fdopen(handle, "wb")
            if binary
            else os.fdopen(handle, "w", encoding="utf-8", newline="")
        )
        with opened as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
