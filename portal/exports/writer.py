"""Builds the export file in batches, with constant memory, into database chunks."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import delete, func, select

from portal.csv_safe import FORMULA_STARTS, safe_cell
from portal.extensions import db
from portal.models import Account, Customer, CustomerExport, CustomerFieldValue, ExportChunk, Login
from portal.models.base import utcnow

BATCH = 2000
CHUNK_BYTES = 1 << 20


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
            db.session.execute(ExportChunk.__table__.insert().values(
                export_id=self.export_id, seq=self.seq, data=bytes(self.buffer)))
            self.seq += 1
            self.size += len(self.buffer)
            self.buffer = bytearray()


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
        out = []
        by_name = {name: index + 1 for index, name in enumerate(standard)}
        for row in batch:
            values = []
            for field in export.fields:
                if field.startswith("custom:"):
                    values.append(custom.get((row[0], int(field.split(":", 1)[1])), ""))
                else:
                    values.append(_cell(row[by_name[field]], zone))
            out.append(values)
        yield out


def _write_csv(export: CustomerExport, header: list[str], sink: ChunkSink, zone: ZoneInfo, progress) -> None:
    delimiter = ";" if export.file_format == "csv_de" else ","
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    text.write("\ufeff")
    writer.writerow([safe_cell(h) for h in header])
    for rows in _rows(export, zone):
        writer.writerows([safe_cell(v) if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in row]
                         for row in rows)
        sink.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()
        progress(len(rows))


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
