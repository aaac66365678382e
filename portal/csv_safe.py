"""CSV that spreadsheets open safely: UTF-8 with BOM (Excel detects it), RFC 4180 quoting, and
cells that a spreadsheet would run as a formula neutralised with a leading apostrophe."""

from __future__ import annotations

import csv
import io
import re
from itertools import chain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = value if type(value) is str else "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row) -> list:
    """A row's text cells neutralised; numbers and empty cells (None) left to the csv module,
    which writes them as str() and "" (an access package has tens of thousands of cells)."""
    return [safe_cell(cell) if type(cell) is str else cell for cell in row]


# A cell's formula start in a table whose cells are joined by the unit separator: one pass over
# the text (a search per start was six).
_CELL_START = re.compile("\x1f[" + re.escape("".join(FORMULA_STARTS)) + "]")


def to_csv(header: list[str], rows, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    rows = rows if isinstance(rows, list) else list(rows)
    # Most tables hold no such cell: one search over the whole table spares checking each cell
    # (a false alarm, e.g. a negative amount, only costs the cell-by-cell way).
    table = "\x1f" + "\x1f".join(map(str, chain.from_iterable(rows)))
    if _CELL_START.search(table):
        rows = map(safe_row, rows)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
