"""CSV records written by PostgreSQL itself: one COPY … TO STDOUT (FORMAT csv) on a
connection of its own, so the session's connection can store the chunks and the progress while
the rows stream. Every cell comes out of the SELECT already as the file needs it — formulas
neutralised, times in the salon's zone — so nothing is done per cell in Python."""

from __future__ import annotations

from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from zoneinfo import ZoneInfo

from portal.csv_safe import FORMULA_STARTS
from portal.exports.columns import HEALTH_SQL, plan

# Indexed by a cell's first character code: true where a spreadsheet would start a formula.
# One array lookup per cell instead of six comparisons.
_RISKY = "ARRAY[" + ", ".join("true" if chr(code) in FORMULA_STARTS else "false" for code in range(1, 65)) + "]"


def _safe(expr: str) -> str:
    # ascii('') is 0 and ascii(NULL) is NULL: both lie outside the array and give NULL (not risky).
    return f"CASE WHEN ({_RISKY})[ascii({expr})] THEN '''' || {expr} ELSE {expr} END"


def select_sql(export) -> str:
    """The SELECT (with its integer parameters inlined: COPY takes no bind parameters)."""
    columns = plan(export.fields)
    selects, joins = [], []
    for n, column in enumerate(columns):
        if column.field_id is not None:
            joins.append(
                f"LEFT JOIN customer_field_value v{n} ON v{n}.customer_id = c.id "
                f"AND v{n}.field_id = {int(column.field_id)}"
            )
            expr = _safe(f"v{n}.value")
        elif column.health:
            expr = _safe(HEALTH_SQL)
        elif column.kind == "text":
            expr = _safe(f"c.{column.name}")
        elif column.kind == "time":
            # The exporting connection's TimeZone is the salon's and its DateStyle ISO: the
            # first 16 characters are "YYYY-MM-DD HH:MM" (cheaper than to_char for every row).
            expr = f"left(c.{column.name}::timestamp::text, 16)"
        else:
            expr = f"c.{column.name}"
        if len(columns) == 1 and column.nullable:
            # COPY writes NULL as nothing: a one-column record would be an empty line, which
            # spreadsheets skip. An empty string is written as "".
            expr = f"coalesce(({expr})::text, '')"
        selects.append(expr)
    return (
        f"SELECT {', '.join(selects)} FROM customer c {' '.join(joins)} "
        f"WHERE c.account_id = {int(export.account_id)} ORDER BY c.id"
    )


_WITHOUT_LAST_BYTE = itemgetter(slice(None, -1))


def crlf_records(rows: list[bytes]) -> bytes:
    """COPY ends records with LF; RFC 4180 wants CRLF. COPY sends exactly one record per
    message (PostgreSQL protocol, "Copy-out mode"), so each row's last byte is its record's end
    and a line break inside a quoted field stays as it is. map() keeps the loop in C."""
    return b"\r\n".join(map(_WITHOUT_LAST_BYTE, rows)) + b"\r\n"


@contextmanager
def postgres_batches(engine, export, zone: ZoneInfo, delimiter: str, batch: int):
    """Starts the COPY on entering (the database works on the rows while the caller does its
    bookkeeping) and yields an iterator of (customers, bytes) per batch."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('TimeZone', %s, true), set_config('DateStyle', 'ISO, YMD', true)", (str(zone),)
            )
            query = f"COPY ({select_sql(export)}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')"
            with cursor.copy(query) as copy:
                yield _batches(iter(copy), batch)
    finally:
        raw.close()  # back to the pool, rolled back: the COPY only read


def _batches(stream, batch: int):
    # psycopg hands out each row as a view of libpq's buffer; holding thousands of them cost
    # more than the rest of the export. bytes() copies each at once and lets the buffer go.
    rows_as_bytes = map(bytes, stream)
    while rows := list(islice(rows_as_bytes, batch)):
        yield len(rows), crlf_records(rows)
