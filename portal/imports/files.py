"""The uploaded file and the checked rows, kept in the database in pieces (web and worker
machines share them; memory stays bounded) and deleted as soon as the import has ended."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import delete, insert, select

from portal.extensions import db
from portal.models import ImportBlob

CHUNK = 1024 * 1024
FILE, ROWS = "file", "rows"


def store(import_id: int, kind: str, data: bytes) -> None:
    db.session.execute(delete(ImportBlob).where(ImportBlob.import_id == import_id, ImportBlob.kind == kind))
    pieces = [
        {"import_id": import_id, "kind": kind, "seq": seq, "data": data[start : start + CHUNK]}
        for seq, start in enumerate(range(0, len(data), CHUNK))
    ]
    if pieces:
        db.session.execute(insert(ImportBlob), pieces)


def pieces(import_id: int, kind: str) -> Iterator[bytes]:
    """One piece at a time, in order (never the whole file in one result set)."""
    seqs = db.session.scalars(
        select(ImportBlob.seq)
        .where(ImportBlob.import_id == import_id, ImportBlob.kind == kind)
        .order_by(ImportBlob.seq)
    ).all()
    for seq in seqs:
        yield db.session.scalar(
            select(ImportBlob.data).where(
                ImportBlob.import_id == import_id, ImportBlob.kind == kind, ImportBlob.seq == seq
            )
        )


def read(import_id: int, kind: str = FILE) -> bytes:
    return b"".join(pieces(import_id, kind))


def forget(import_id: int) -> None:
    """The file and the checked rows hold personal data: gone once the import ended."""
    db.session.execute(delete(ImportBlob).where(ImportBlob.import_id == import_id))


def records(import_id: int) -> Iterator[list]:
    """The checked rows again, one at a time (a line never spans two pieces: see `RecordWriter`)."""
    for piece in pieces(import_id, ROWS):
        for line in piece.splitlines():
            if line:
                yield json.loads(line)


class RecordWriter:
    """Checked rows as JSON lines in pieces of about 1 MiB that end at a line's end."""

    def __init__(self, import_id: int):
        self.import_id, self.seq, self.buffer, self.rows = import_id, 0, bytearray(), []

    def add(self, record: list) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        if self.buffer and len(self.buffer) + len(line) > CHUNK:
            self._flush()
        self.buffer += line

    def _flush(self) -> None:
        self.rows.append({"import_id": self.import_id, "kind": ROWS, "seq": self.seq, "data": bytes(self.buffer)})
        self.seq += 1
        self.buffer = bytearray()

    def save(self) -> None:
        if self.buffer:
            self._flush()
        db.session.execute(delete(ImportBlob).where(ImportBlob.import_id == self.import_id, ImportBlob.kind == ROWS))
        for row in self.rows:
            db.session.execute(insert(ImportBlob), [row])
