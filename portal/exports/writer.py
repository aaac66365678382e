"""Builds the export file in batches, with constant memory, into database chunks."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import delete, func, select, text

from portal.csv_safe import FORMULA_STARTS, safe_cell
from portal.exports.sqlite_time import sqlite_local_time
from portal.extensions import db
from portal.models import Account, Customer, CustomerExport, CustomerFieldValue, ExportChunk, Login
from portal.models.base import utcnow

BATCH = 5000
CHUNK_BYTES = 1 << 20
# Progress (and the heartbeat) is committed after the first batch and then at most this often:
# a commit per batch would cost more than the rows themselves.
PROGRESS_SECONDS = 0.5
TEXT_COLUMNS = ("first_name", "last_name", "email", "phone", "street", "postal_code", "city", "country", "notes")
TIME_COLUMNS = ("created_at", "imported_at", "last_visit_at")


def after_batch(export: CustomerExport) -> None:
    """A seam for tests that simulate a worker dying half-way."""


class ChunkSink:
    """Collects bytes and stores them as ~1 MiB chunks; nothing grows with the export's size."""

    def __init__(self, export_id: int):
        self.export_id, self.seq, self.size = export_id, 0, 0
        self.buffer = bytearray()

    def write(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            # On the session's connection, in its transaction, without the autoflush that
            # session.execute would do: the progress is written when it is committed.
            db.session.connection().execute(ExportChunk.__table__.insert().values(
                export_id=self.export_id, seq=self.seq, data=bytes(self.buffer)))
            self.seq += 1
            self.size += len(self.buffer)
            self.buffer = bytearray()


# --- CSV: the cells come out of the database ready for the file ------------------------------

def _cells_sql(export: CustomerExport, dialect: str, zone: ZoneInfo) -> tuple[str, dict]:
    """One SELECT (without ORDER BY) that returns every cell already as the file needs it:
    formulas neutralised and times in the salon's zone, so the rows go straight from the
    database into the file — the reason the export keeps pace with the database's own dump."""
    char = "chr" if dialect == "postgresql" else "char"
    first_code = "ascii" if dialect == "postgresql" else "unicode"
    risky = ", ".join(str(ord(c)) for c in FORMULA_STARTS)

    def safe(expr: str) -> str:
        # The first character's code, not substr(): no string is built for the test.
        code = f"{first_code}({expr})"
        return f"CASE WHEN {code} IN ({risky}) THEN {char}(39) || {expr} ELSE {expr} END"

    def local_time(column: str) -> str:
        if dialect == "postgresql":
            # The exporting connection's TimeZone is the salon's and its DateStyle ISO: the
            # first 16 characters are "YYYY-MM-DD HH:MM" (cheaper than to_char for every row).
            return f"left(c.{column}::timestamp::text, 16)"
        return sqlite_local_time(f"c.{column}", zone)

    selects, joins = [], []
    params = {"account_id": export.account_id}
    for n, field in enumerate(export.fields):
        if field.startswith("custom:"):
            params[f"f{n}"] = int(field.split(":", 1)[1])
            joins.append(f"LEFT JOIN customer_field_value v{n} ON v{n}.customer_id = c.id AND v{n}.field_id = :f{n}")
            selects.append(safe(f"v{n}.value"))
        elif field in TEXT_COLUMNS:
            selects.append(safe(f"c.{field}"))
        elif field in TIME_COLUMNS:
            selects.append(local_time(field))
        else:
            selects.append(f"c.{field}")  # id and birthday (ISO date)
    sql = f"SELECT {', '.join(selects)} FROM customer c {' '.join(joins)} WHERE c.account_id = :account_id"
    return sql, params


class CrlfRecords:
    """PostgreSQL's COPY ends CSV records with LF; RFC 4180 wants CRLF. Only the separators
    between records change: a line break inside a quoted field is data and stays as it is."""

    def __init__(self):
        self.in_quotes = False

    def convert(self, block: bytes) -> bytes:
        parts = block.split(b'"')
        for index in range(len(parts)):
            if not self.in_quotes:
                parts[index] = parts[index].replace(b"\n", b"\r\n")
            if index < len(parts) - 1:
                self.in_quotes = not self.in_quotes
        return b'"'.join(parts)

    def records(self, rows: list[bytes]) -> bytes:
        """COPY hands over one record per message: when the line breaks are exactly the records'
        ends (no line break inside a field), one replace does it at C speed."""
        data = b"".join(rows)
        if data.count(b"\n") == len(rows):
            return data.replace(b"\n", b"\r\n")
        return self.convert(data)


def _literal(sql: str, params: dict[str, int]) -> str:
    """COPY takes no bind parameters: inline ours, which are all integers."""
    for name, value in sorted(params.items(), key=lambda item: -len(item[0])):
        sql = sql.replace(f":{name}", str(int(value)))
    return sql


@contextmanager
def _postgres_csv(export: CustomerExport, zone: ZoneInfo, delimiter: str):
    """PostgreSQL writes the CSV itself, in one COPY … TO STDOUT on a connection of its own, so
    the session's connection can store the chunks and the progress while the rows stream.
    Yields the record batches as (rows, bytes with CRLF record ends)."""
    sql, params = _cells_sql(export, "postgresql", zone)
    query = _literal(sql + " ORDER BY c.id", params)
    raw = db.engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, true), set_config('DateStyle', 'ISO, YMD', true)",
                           (str(zone),))
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')") as copy:
                yield _copy_batches(copy)
    finally:
        raw.close()  # back to the pool, rolled back: the COPY only read


def _copy_batches(copy):
    records = CrlfRecords()
    stream = iter(copy)
    # islice gathers the rows in C: no Python work per row.
    while rows := list(islice(stream, BATCH)):
        yield len(rows), records.records(rows)


@contextmanager
def _sqlite_csv(export: CustomerExport, zone: ZoneInfo, delimiter: str):
    yield _sqlite_batches(export, zone, delimiter)


def _sqlite_batches(export: CustomerExport, zone: ZoneInfo, delimiter: str):
    """Batches by id range (bounds from one index scan); the driver's tuples go straight into
    csv.writer, without SQLAlchemy rows in between."""
    sql, params = _cells_sql(export, "sqlite", zone)
    statement = sql + " AND c.id > :low AND c.id <= :high ORDER BY c.id"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    low = 0
    for high in _batch_bounds(export.account_id):
        rows = db.session.connection().connection.driver_connection.execute(
            statement, {**params, "low": low, "high": high}).fetchall()
        writer.writerows(rows)
        yield len(rows), buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        low = high


def _batch_bounds(account_id: int) -> list[int]:
    """Every BATCH-th customer id and the last one, in one index scan: the batches' upper ends."""
    return list(db.session.scalars(text(
        "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total "
        "FROM customer WHERE account_id = :a) numbered WHERE n % :batch = 0 OR n = total ORDER BY id"),
        {"a": account_id, "batch": BATCH}))


def _delimiter(export: CustomerExport) -> str:
    return ";" if export.file_format == "csv_de" else ","


def _csv_rows(export: CustomerExport, zone: ZoneInfo):
    """The CSV's records in batches, as a context: on PostgreSQL the COPY starts on entering."""
    source = _postgres_csv if db.engine.dialect.name == "postgresql" else _sqlite_csv
    return source(export, zone, _delimiter(export))


def _write_csv(export: CustomerExport, header: list[str], sink: ChunkSink, batches, progress) -> None:
    delimiter = _delimiter(export)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow([safe_cell(h) for h in header])
    sink.write(buffer.getvalue().encode("utf-8"))
    for count, data in batches:
        sink.write(data)
        progress(count)


# --- XLSX: openpyxl's write-only mode, every text cell a string (never a formula) ------------

def _cell(value, zone: ZoneInfo):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(export: CustomerExport, zone: ZoneInfo):
    """Batches of rows in id order (keyset), custom values joined per batch."""
    standard = [f for f in export.fields if not f.startswith("custom:")]
    custom_ids = [int(f.split(":", 1)[1]) for f in export.fields if f.startswith("custom:")]
    columns = [getattr(Customer, name) for name in standard]
    position = {name: index + 1 for index, name in enumerate(standard)}
    last_id = 0
    while True:
        batch = db.session.execute(select(Customer.id, *columns).where(
            Customer.account_id == export.account_id, Customer.id > last_id)
            .order_by(Customer.id).limit(BATCH)).all()
        if not batch:
            return
        last_id = batch[-1][0]
        custom = {}
        if custom_ids:
            for customer_id, field_id, value in db.session.execute(select(
                    CustomerFieldValue.customer_id, CustomerFieldValue.field_id, CustomerFieldValue.value).where(
                    CustomerFieldValue.customer_id.in_([row[0] for row in batch]),
                    CustomerFieldValue.field_id.in_(custom_ids))):
                custom[(customer_id, field_id)] = value
        yield [[custom.get((row[0], int(field.split(":", 1)[1])), "") if field.startswith("custom:")
                else _cell(row[position[field]], zone) for field in export.fields] for row in batch]


def _write_xlsx(export: CustomerExport, header: list[str], sink: ChunkSink, zone: ZoneInfo, progress) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Kunden")

    def text_row(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        return cells

    sheet.append(text_row(header))
    for rows in _rows(export, zone):
        for row in rows:
            sheet.append(text_row(row))
        progress(len(rows))
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as file:
            while piece := file.read(CHUNK_BYTES):
                sink.write(piece)
    finally:
        os.unlink(path)


def write_export(export: CustomerExport, header_labels: dict[str, str]) -> int:
    """Write the whole file again from the start (a retry after a crash starts over) and return
    its size. Commits progress as it goes so the page can show it."""
    zone = ZoneInfo(db.session.get(Account, export.account_id).timezone)
    csv_rows = _csv_rows(export, zone) if export.file_format != "xlsx" else nullcontext()
    # Entered first: on PostgreSQL the database already works on the rows during the bookkeeping.
    with csv_rows as csv_batches:
        db.session.execute(delete(ExportChunk).where(ExportChunk.export_id == export.id))
        export.progress_total = db.session.scalar(select(func.count()).select_from(Customer).where(
            Customer.account_id == export.account_id))
        export.progress_done = 0
        db.session.commit()
        committed_at = float("-inf")

        def progress(count: int) -> None:
            nonlocal committed_at
            export.progress_done += count
            if time.monotonic() - committed_at >= PROGRESS_SECONDS:
                export.heartbeat_at = utcnow()
                db.session.commit()
                committed_at = time.monotonic()
            after_batch(export)

        recipient = db.session.get(Login, export.recipient_login_id)
        with force_locale(recipient.locale if recipient else "de"):
            header = [str(header_labels[f]) for f in export.fields]
        sink = ChunkSink(export.id)
        if csv_batches is None:
            _write_xlsx(export, header, sink, zone, progress)
        else:
            _write_csv(export, header, sink, csv_batches, progress)
        sink.flush()
    # Customers added or removed while the file was written: the file's count is the true one.
    export.progress_total = export.progress_done
    return sink.size
