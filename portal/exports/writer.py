"""Builds the export file in batches, with constant memory, into database chunks."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import delete, func, select, text

from portal.csv_safe import safe_cell
from portal.extensions import db
from portal.models import Account, Customer, CustomerExport, CustomerFieldValue, ExportChunk, Login
from portal.models.base import utcnow

BATCH = 5000
CHUNK_BYTES = 1 << 20
TEXT_COLUMNS = ("first_name", "last_name", "email", "phone", "street", "postal_code", "city", "country", "notes")
TIME_COLUMNS = ("created_at", "imported_at", "last_visit_at")


def after_batch(export: CustomerExport) -> None:
    """A seam for tests that simulate a worker dying half-way."""


class ChunkSink:
    """Collects bytes and stores them as ~1 MiB chunks; nothing grows with the export's size."""

    def __init__(self, export_id: int):
        self.export_id, self.seq, self.size = export_id, 0, 0
        self.buffer = bytearray()

    def write(self, data: bytes, store: bool = True) -> None:
        """`store=False` while a COPY streams: its connection cannot run the INSERT until the
        COPY ends; the buffer is then bounded by one batch of rows."""
        self.buffer += data
        if store and len(self.buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            # Compressed (fast level): a fifth of the bytes to write into the database.
            db.session.execute(ExportChunk.__table__.insert().values(
                export_id=self.export_id, seq=self.seq, data=zlib.compress(self.buffer, 1)))
            self.seq += 1
            self.size += len(self.buffer)
            self.buffer = bytearray()


# --- CSV: the cells come out of the database ready for the file ------------------------------

def _csv_query(export: CustomerExport, dialect: str, timezone: str) -> tuple[str, dict]:
    """One SELECT that returns every cell already as the file needs it: formulas neutralised
    and times in the salon's zone, so the rows go straight from the cursor into csv.writer
    (C speed) — the reason the export keeps pace with the database's own CSV dump."""
    char = "chr" if dialect == "postgresql" else "char"

    def safe(expr: str) -> str:
        quote = "''''"  # SQL for a single apostrophe
        return (f"CASE WHEN substr({expr}, 1, 1) IN ('=', '+', '-', '@', {char}(9), {char}(13)) "
                f"THEN {quote} || {expr} ELSE {expr} END")

    def local_time(column: str) -> str:
        if dialect == "postgresql":
            return f"to_char(c.{column} AT TIME ZONE :tz, 'YYYY-MM-DD HH24:MI')"
        # SQLite has no time zones: the EU summer-time rule (last Sunday of March and of
        # October, 01:00 UTC) for Europe/Berlin, which write_export checks is the salon's zone.
        year = f"substr(c.{column}, 1, 4)"
        summer = (f"c.{column} >= date({year} || '-03-25', 'weekday 0') || ' 01:00:00' AND "
                  f"c.{column} < date({year} || '-10-25', 'weekday 0') || ' 01:00:00'")
        return f"strftime('%Y-%m-%d %H:%M', c.{column}, CASE WHEN {summer} THEN '+2 hours' ELSE '+1 hours' END)"

    selects, joins = [], []
    params = {"account_id": export.account_id, "tz": timezone}
    for n, field in enumerate(export.fields):
        if field.startswith("custom:"):
            params[f"f{n}"] = int(field.split(":", 1)[1])
            joins.append(f"LEFT JOIN customer_field_value v{n} ON v{n}.customer_id = c.id AND v{n}.field_id = :f{n}")
            selects.append(safe(f"v{n}.value"))
        elif field in TEXT_COLUMNS:
            selects.append(safe(f"c.{field}"))
        elif field in TIME_COLUMNS:
            selects.append(local_time(field))
        elif field == "birthday":
            selects.append("to_char(c.birthday, 'YYYY-MM-DD')" if dialect == "postgresql" else "c.birthday")
        else:
            selects.append(f"c.{field}")
    sql = (f"SELECT c.id, {', '.join(selects)} FROM customer c {' '.join(joins)} "
           f"WHERE c.account_id = :account_id AND c.id > :after ORDER BY c.id LIMIT {BATCH}")
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


def _literal(sql: str, params: dict) -> str:
    """COPY takes no bind parameters: inline ours, which are integers and a checked zone name."""
    for name, value in sorted(params.items(), key=lambda item: -len(item[0])):
        if isinstance(value, int):
            sql = sql.replace(f":{name}", str(value))
        else:
            ZoneInfo(value)  # raises for anything that is not a time zone name
            if "'" in value:
                raise ValueError("unexpected quote in a zone name")
            sql = sql.replace(f":{name}", f"'{value}'")
    return sql


def _write_csv_copy(export: CustomerExport, sink: ChunkSink, zone: ZoneInfo, progress, delimiter: str) -> None:
    """PostgreSQL writes the CSV itself (COPY … TO STDOUT), batch by batch for the progress bar;
    the bytes go straight into the chunks."""
    sql, params = _csv_query(export, "postgresql", str(zone))
    select_part = sql.split(" ORDER BY c.id LIMIT")[0]
    records = CrlfRecords()
    account_id, total = export.account_id, export.progress_total
    # Every BATCH-th id, in one index scan: the batches' upper bounds.
    bounds = list(db.session.scalars(text(
        "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customer "
        "WHERE account_id = :a) numbered WHERE n % :batch = 0 ORDER BY id"), {"a": account_id, "batch": BATCH}))
    after = 0
    for upper in [*bounds, None]:
        bounded = select_part + (f" AND c.id <= {int(upper)}" if upper is not None else "") + " ORDER BY c.id"
        query = _literal(bounded.replace("SELECT c.id, ", "SELECT ", 1), {**params, "after": after})
        # The session's own connection, inside its transaction (committed by progress()).
        connection = db.session.connection().connection.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')") as copy:
                # COPY sends a message per row; join them before any Python work on the bytes.
                sink.write(records.convert(b"".join(copy)), store=False)
        if len(sink.buffer) >= CHUNK_BYTES:
            sink.flush()
        done = BATCH if upper is not None else total - BATCH * len(bounds)
        if done:
            progress(done)
        after = upper


def _write_csv(export: CustomerExport, header: list[str], sink: ChunkSink, zone: ZoneInfo, progress) -> None:
    delimiter = ";" if export.file_format == "csv_de" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([safe_cell(h) for h in header])
    if db.engine.dialect.name == "postgresql":
        sink.write(buffer.getvalue().encode("utf-8"))
        _write_csv_copy(export, sink, zone, progress, delimiter)
        return
    sql, params = _csv_query(export, db.engine.dialect.name, str(zone))
    statement = text(sql)
    after = 0
    while True:
        rows = db.session.execute(statement, {**params, "after": after}).all()
        if not rows:
            return
        after = rows[-1][0]
        writer.writerows(row[1:] for row in rows)
        sink.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
        progress(len(rows))


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
    its size. Commits after every batch so the page can show progress."""
    db.session.execute(delete(ExportChunk).where(ExportChunk.export_id == export.id))
    account = db.session.get(Account, export.account_id)
    zone = ZoneInfo(account.timezone)
    if db.engine.dialect.name == "sqlite" and account.timezone != "Europe/Berlin" and export.file_format != "xlsx":
        raise ValueError("SQLite exports compute local times for Europe/Berlin only; use PostgreSQL")
    export.progress_total = db.session.scalar(select(func.count()).select_from(Customer).where(
        Customer.account_id == export.account_id))
    export.progress_done = 0
    db.session.commit()
    sink = ChunkSink(export.id)

    def progress(count: int) -> None:
        export.progress_done += count
        export.heartbeat_at = utcnow()
        db.session.commit()
        after_batch(export)

    recipient = db.session.get(Login, export.recipient_login_id)
    with force_locale(recipient.locale if recipient else "de"):
        header = [str(header_labels[f]) for f in export.fields]
    writer = _write_xlsx if export.file_format == "xlsx" else _write_csv
    writer(export, header, sink, zone, progress)
    sink.flush()
    return sink.size
