"""The export file is kept in the database in 256 KiB chunks, so web and workers on different
machines share it and nothing grows with the export's size.

On PostgreSQL a thread of its own stores the chunks on a connection of its own while the rows
still stream (storing waited for the server to compress and write each chunk — a third of the
export's time); its transaction is committed only when the file is complete, so a worker that
dies leaves no partial file behind. SQLite allows one writer at a time and its export reads
with several connections: there the chunks are spooled and stored at the end (`spooled_store`)."""

from __future__ import annotations

import queue
import tempfile
import threading
from contextlib import contextmanager

from portal.extensions import db
from portal.models import ExportChunk

CHUNK_BYTES = 256 * 1024
INSERT = "INSERT INTO export_chunk (export_id, seq, data) VALUES (%s, %s, %s)"


class ChunkSink:
    """Collects bytes and hands them to `store(seq, data)` in 256 KiB chunks."""

    def __init__(self, store):
        self.store = store
        self.seq = self.size = 0
        self.buffer = bytearray()

    def write(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            # The bytearray itself is handed over (a fresh one follows): no copy of the chunk.
            self.store(self.seq, self.buffer)
            self.seq += 1
            self.size += len(self.buffer)
            self.buffer = bytearray()


@contextmanager
def spooled_store(export_id: int):
    """Chunks kept in an unnamed temporary file (gone with the process, never visible by name)
    while the file is written, and stored in the session's transaction at the end: a write
    while the export's readers work would have them wait for each commit. The caller's commit
    stores the whole file at once."""
    with tempfile.TemporaryFile(prefix="export-") as spool:
        sizes = []

        def store(seq: int, data: bytes) -> None:
            spool.write(data)
            sizes.append(len(data))

        yield store
        spool.seek(0)
        connection = db.session.connection()  # without the autoflush session.execute would do
        for seq, size in enumerate(sizes):
            connection.execute(
                ExportChunk.__table__.insert().values(export_id=export_id, seq=seq, data=spool.read(size))
            )


class _StoringThread(threading.Thread):
    """Inserts the chunks it is handed; at most two wait, so memory stays bounded."""

    DONE = None

    def __init__(self, connection, export_id: int):
        super().__init__(name=f"export-{export_id}-chunks", daemon=True)
        self.connection, self.export_id = connection, export_id
        self.pending: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                # The commit need not wait for the disk: the export's "finished" is committed
                # after it, synchronously, and PostgreSQL's log is written in order — once that
                # commit is safe, so are the chunks before it.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                while (item := self.pending.get()) is not self.DONE:
                    cursor.execute(INSERT, (self.export_id, *item))
        except BaseException as error:  # handed to the exporting thread, which raises it
            self.error = error
            while self.pending.get() is not self.DONE:  # let a waiting put() go on
                pass

    def put(self, seq: int, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.pending.put((seq, data))

    def finish(self) -> None:
        self.pending.put(self.DONE)
        self.join()
        if self.error is not None:
            raise self.error


@contextmanager
def background_store(export_id: int):
    """Chunks stored by a thread on a connection of its own, committed on leaving without an
    error; rolled back (nothing stored) otherwise."""
    raw = db.engine.raw_connection()
    thread = _StoringThread(raw.driver_connection, export_id)
    thread.start()
    try:
        yield thread.put
        thread.finish()
        raw.commit()
    except BaseException:
        if thread.is_alive():
            thread.pending.put(_StoringThread.DONE)
            thread.join()
        raise
    finally:
        raw.close()  # back to the pool; rolled back if not committed


def chunk_store(export_id: int):
    if db.engine.dialect.name == "postgresql":
        return background_store(export_id)
    return spooled_store(export_id)
