"""XLSX export: openpyxl's write-only mode, every text cell typed as a string, so nothing a
customer typed ever becomes a formula — no apostrophe needed."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from portal.exports.columns import HEALTH_FIELD
from portal.extensions import db
from portal.models import Customer, CustomerFieldValue, SignedDocument


def _cell(value, zone: ZoneInfo):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # XML cannot hold most control characters; data stored before the input was cleaned
        # (portal/web/clean_text.py) may still have them, and one would fail the whole file.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _rows(export, zone: ZoneInfo, batch: int):
    """Batches of rows in customer-number order (keyset), own fields' values joined per batch."""
    standard = [f for f in export.fields if not f.startswith("custom:") and f != HEALTH_FIELD]
    custom_ids = [int(f.split(":", 1)[1]) for f in export.fields if f.startswith("custom:")]
    columns = [getattr(Customer, name) for name in standard]
    position = {name: index + 1 for index, name in enumerate(standard)}
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Customer.id, *columns)
            .where(Customer.account_id == export.account_id, Customer.id > last_id)
            .order_by(Customer.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        last_id = rows[-1][0]
        custom = {}
        if custom_ids:
            for customer_id, field_id, value in db.session.execute(
                select(CustomerFieldValue.customer_id, CustomerFieldValue.field_id, CustomerFieldValue.value).where(
                    CustomerFieldValue.customer_id.in_([row[0] for row in rows]),
                    CustomerFieldValue.field_id.in_(custom_ids),
                )
            ):
                custom[(customer_id, field_id)] = _cell(value, zone)
        health = _health_answers([row[0] for row in rows]) if HEALTH_FIELD in export.fields else {}
        yield [
            [
                health.get(row[0], "")
                if field == HEALTH_FIELD
                else custom.get((row[0], int(field.split(":", 1)[1])), "")
                if field.startswith("custom:")
                else _cell(row[position[field]], zone)
                for field in export.fields
            ]
            for row in rows
        ]


def _health_answers(customer_ids: list[int]) -> dict[int, str]:
    """The newest health answers per customer (as HEALTH_SQL): later rows overwrite earlier."""
    answers = {}
    for customer_id, text in db.session.execute(
        select(SignedDocument.customer_id, SignedDocument.health_text)
        .where(SignedDocument.customer_id.in_(customer_ids), SignedDocument.health_text != "")
        .order_by(SignedDocument.signed_at, SignedDocument.id)
    ):
        answers[customer_id] = _cell(text, None)
    return answers


def write_xlsx(export, header: list[str], sink, zone: ZoneInfo, progress, batch: int, piece_bytes: int) -> None:
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
    for rows in _rows(export, zone, batch):
        for row in rows:
            sheet.append(text_row(row))
        progress(len(rows))
    # openpyxl writes the zip to a file; it is read back in pieces and removed at once.
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as file:
            while piece := file.read(piece_bytes):
                sink.write(piece)
    finally:
        os.unlink(path)
