"""SQLite as the portal needs it: foreign keys enforced and deleted content overwritten on
every connection; memory statistics switched off in the worker process.

Foreign keys: SQLite ignores REFERENCES (and ON DELETE) unless each connection turns them on,
so without this a deleted customer's rows would stay behind, pointing at an id that a new
customer could get. secure_delete: a deleted row's bytes are overwritten with zeros instead of
staying readable in the database file's free pages — an erasure must leave nothing.

Memory statistics:

Debian's sqlite3 library (like most distributions') counts every allocation under one global
mutex and is built without lookaside memory, so threads that read at once — the customer
export's readers — spend their time taking turns on that mutex (two readers were barely faster
than one; without the statistics they take half the time). Only sqlite3_status() reads the
statistics, and nothing here calls it; SQLite's own advice is to build without them
(SQLITE_DEFAULT_MEMSTATUS=0). sqlite3_config() switches them off at run time, which SQLite
allows only while the library is shut down: with no connection open in the process. So this
runs once, as the worker starts, and only when the pool has no connection handed out."""

from __future__ import annotations

import ctypes
import logging
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_CONFIG_MEMSTATUS = 9
SQLITE_OK = 0

log = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection — web, worker, CLI, tests, migrations — outside any transaction."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def disable_memory_statistics(engine) -> bool:
    """True when SQLite now runs without memory statistics in this process (and its forks)."""
    if engine.dialect.name != "sqlite":
        return False
    if engine.pool.checkedout():
        return False  # a connection is in use: shutting the library down now is not allowed
    engine.dispose()  # the pool's idle connections are closed (and the pool replaced)
    import _sqlite3

    try:
        # The same library the sqlite3 module uses, linked in or loaded beside it.
        library = ctypes.CDLL(_sqlite3.__file__)
    except OSError:
        return False
    if library.sqlite3_shutdown() != SQLITE_OK:
        return False
    configured = library.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == SQLITE_OK
    if library.sqlite3_initialize() != SQLITE_OK:
        log.error("sqlite3_initialize failed after switching memory statistics off")
    return configured
