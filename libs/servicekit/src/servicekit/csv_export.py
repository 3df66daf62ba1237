"""The one CSV writer of every export: a header row, then the rows; UTF-8 with a byte-order mark
(spreadsheet programs then read the Chinese names right) and CRLF line ends.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR would be run as a formula by
the spreadsheet that opens the file (CSV injection): it is written with a leading single quote
(OWASP's rule), so it shows as the text it is. Numbers the code writes (int, float, Decimal)
are not text and stay numbers; ``None`` is an empty cell."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from fastapi import Response

from servicekit.downloads import download

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as the CSV writer should write it: a formula-like text quoted, a Decimal in
    fixed notation, ``None`` empty, anything else as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool | int | float):
        return value
    return cell(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_response(
    header: Sequence[str], rows: Iterable[Iterable[Any]], *, filename: str, bom: bool = True
) -> Response:
    """The export as a download: ``text/csv; charset=utf-8``, named ``filename``."""
    return csv_file(csv_text(header, rows, bom=bom), filename=filename)


def csv_file(text: str, *, filename: str) -> Response:
    """Text written by :func:`csv_text` as a download named ``filename``."""
    return download(text.encode(), media_type=CSV_MEDIA_TYPE, filename=filename)
