"""The uploaded file and the checked rows, kept in the database in pieces (web and worker
machines share them; memory stays bounded) and deleted as soon as the import has ended."""

from __future__ import annotations

import json
import tempfile
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
    """The checked rows again, one at a time (a line never spans two pieces: see `RecordWriter`).
    A piece is decoded at once as one JSON array — a line break between records is the only raw
    one (JSON escapes those inside strings) — which costs half of decoding line by line."""
    for piece in pieces(import_id, ROWS):
        body = piece.rstrip(b"\n")
        if body:
            yield from json.loads(b"[" + body.replace(b"\n", b",") + b"]")


class RecordWriter:
    """Checked rows as JSON lines, kept in an unnamed temporary file while the check runs (the
    rows of a large file would otherwise sit in memory), stored at the end in pieces of about
    1 MiB that end at a line's end. The file goes with the process if the worker dies."""

    def __init__(self, import_id: int):
        self.import_id = import_id
        self.spool = tempfile.TemporaryFile()

    def add(self, record: list) -> None:
        self.spool.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")

    def save(self) -> None:
        db.session.execute(delete(ImportBlob).where(ImportBlob.import_id == self.import_id, ImportBlob.kind == ROWS))
        self.spool.seek(0)
        seq, rest = 0, b""
        while block := self.spool.read(CHUNK):
            block = rest + block
            end = block.rfind(b"\n") + 1
            piece, rest = block[:end], block[end:]
            if piece:
                db.session.execute(
                    insert(ImportBlob), [{"import_id": self.import_id, "kind": ROWS, "seq": seq, "data": piece}]
                )
                seq += 1
        if rest:
            db.session.execute(
                insert(ImportBlob), [{"import_id": self.import_id, "kind": ROWS, "seq": seq, "data": rest}]
            )
        self.spool.close()
