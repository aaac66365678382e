"""One service operation, one transaction: `@transaction` on the service functions that views,
jobs and commands call. It commits when the operation returns and rolls back when it raises,
except for errors marked `keep_changes` (a wrong password or code is counted, then refused).
Operations inside another one (or inside `with one_transaction():`, e.g. a seeding loop) share
the outermost transaction: only it commits."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


class KeepChanges:
    """Mix into an error whose operation's changes must stay (the failed try is the record)."""

    keep_changes = True


class one_transaction:  # noqa: N801 - used like a function: `with one_transaction():`
    def __enter__(self):
        self.outermost = not db.session.info.get("in_transaction")
        db.session.info["in_transaction"] = True
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if not self.outermost:
            return
        db.session.info.pop("in_transaction", None)
        if error is not None and not getattr(error, "keep_changes", False):
            db.session.rollback()
            return
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()  # e.g. a unique constraint the last flush met: nothing half-saved
            raise


def transaction(operation: Callable[P, R]) -> Callable[P, R]:
    @wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with one_transaction():
            return operation(*args, **kwargs)

    return run


@contextmanager
def keeping_loaded_objects():
    """Commits in this block leave the session's loaded objects as they are, for writes that
    change nothing loaded (a new log line): the default expiry only makes the page read them
    again."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = expiring


def lock_for_writing() -> None:
    """Take the database's write lock now (SQLite), before the transaction has read anything
    it would later have to turn into a write; a no-op on PostgreSQL and inside a write."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reserve_ids(table_name: str, count: int) -> list[int]:
    """Ids for `count` new rows of a table, taken inside the current transaction, so that a bulk
    insert needs no RETURNING (which SQLite answers one row at a time). PostgreSQL: from the
    table's sequence. SQLite: above AUTOINCREMENT's counter and the highest id, under the write
    lock taken here, so no other writer can take them meanwhile; never an id used before."""
    if count <= 0:
        return []
    if not table_name.isidentifier():
        raise ValueError("a table's name")
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return list(
            connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(n)s)",
                {"table": table_name, "n": count},
            ).scalars()
        )
    lock_for_writing()
    highest = connection.exec_driver_sql(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table_name}'), 0), "
        f"coalesce((SELECT max(id) FROM {table_name}), 0))"
    ).scalar()
    return list(range(highest + 1, highest + 1 + count))
