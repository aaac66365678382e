"""Builds the export file in batches, with constant memory, into database chunks (`chunks`). The
CSV's records are written by the database itself (`csv_postgres`, `csv_sqlite`); the XLSX by
openpyxl (`xlsx`)."""

from __future__ import annotations

import csv
import io
import time
from contextlib import contextmanager, nullcontext
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from portal.csv_safe import safe_cell
from portal.exports.chunks import CHUNK_BYTES, ChunkSink, chunk_store
from portal.exports.csv_postgres import postgres_batches
from portal.exports.csv_sqlite import small_page_cache, sqlite_batches
from portal.extensions import db
from portal.models import Account, Customer, CustomerExport, ExportChunk, Login
from portal.models.base import utcnow
from portal.web.words import force_locale

BATCH = 2000
# Progress (and the heartbeat) is committed after the first batch and then at most this often:
# a commit per batch would cost more than the rows themselves.
PROGRESS_SECONDS = 0.5


def _delimiter(export: CustomerExport) -> str:
    return ";" if export.file_format == "csv_de" else ","


@contextmanager
def _sqlite_source(export: CustomerExport, zone: ZoneInfo):
    connection = db.session.connection().connection.driver_connection
    batches = sqlite_batches(connection, export, zone, _delimiter(export), BATCH, db.engine.url.database)
    try:
        with small_page_cache(connection):
            yield batches
    finally:
        batches.close()  # the readers stop and their connections close, also when the run failed


def _csv_source(export: CustomerExport, zone: ZoneInfo):
    """The CSV's records in batches, as a context: on PostgreSQL the COPY starts on entering."""
    if db.engine.dialect.name == "postgresql":
        return postgres_batches(db.engine, export, zone, _delimiter(export), BATCH)
    return _sqlite_source(export, zone)


def _csv_header(export: CustomerExport, header: list[str]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte-order mark: Excel then reads UTF-8
    csv.writer(buffer, delimiter=_delimiter(export), lineterminator="\r\n").writerow(
        [safe_cell(label) for label in header]
    )
    return buffer.getvalue().encode("utf-8")


def write_export(export: CustomerExport, header_labels: dict[str, str]) -> int:
    """Write the whole file again from the start (a retry after a crash starts over) and return
    its size. Commits progress as it goes so the page can show it."""
    zone = ZoneInfo(db.session.get(Account, export.account_id).timezone)
    source = _csv_source(export, zone) if export.file_format != "xlsx" else nullcontext()
    # Entered first: on PostgreSQL the database already works on the rows during the bookkeeping.
    with source as csv_batches:
        db.session.execute(delete(ExportChunk).where(ExportChunk.export_id == export.id))
        export.progress_total = db.session.scalar(
            select(func.count()).select_from(Customer).where(Customer.account_id == export.account_id)
        )
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

        recipient = db.session.get(Login, export.recipient_login_id)
        with force_locale(recipient.locale if recipient else "de"):
            header = [str(header_labels[f]) for f in export.fields]
        with chunk_store(export.id) as store:
            sink = ChunkSink(store)
            if csv_batches is None:
                from portal.exports.xlsx import write_xlsx  # openpyxl, for XLSX only: `portal.lazy_imports`

                write_xlsx(export, header, sink, zone, progress, BATCH, CHUNK_BYTES)
            else:
                sink.write(_csv_header(export, header))
                for count, data in csv_batches:
                    sink.write(data)
                    progress(count)
            sink.flush()
    # Customers added or removed while the file was written: the file's count is the true one.
    export.progress_total = export.progress_done
    return sink.size
