"""SQLite runs with a write-ahead log, and an erasure leaves no bytes in it: the log is copied
and cut to zero after every transaction that overwrote something — at once, or, while a reader
still holds an older snapshot, as soon as that reader is done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.audit import Actor
from portal.extensions import db
from portal.models import Customer
from portal.requests.erasure import erase_customer
from portal.sqlite_wal import overwrites
from tests import factories
from tests.sqlite_files import file_bytes

NAME = "Walburga-Zwetschkenbaum"


@pytest.fixture
def database_file() -> Path:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write-ahead log and its file are SQLite's")
    return Path(db.engine.url.database)


def _log_bytes(database_file: Path) -> bytes:
    return file_bytes(Path(f"{database_file}-wal"))


def _erase(salon, customer_id: int) -> None:
    erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
    db.session.commit()  # the session hands its connection back to the pool


def test_every_connection_writes_ahead_and_syncs_each_commit(database_file):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT id FROM customer", False),
        ("  select 1", False),
        ("INSERT INTO audit_event (action) VALUES (?)", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("RELEASE SAVEPOINT sa_savepoint_1", False),
        ("UPDATE customer SET notes = '' WHERE id = ?", True),
        ("DELETE FROM customer WHERE id = ?", True),
        ("INSERT INTO setting (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", True),
        ("INSERT OR REPLACE INTO setting VALUES (?, ?)", True),
        ("REPLACE INTO setting VALUES (?, ?)", True),
        ("WITH old AS (SELECT id FROM customer) DELETE FROM customer WHERE id IN old", True),
        ("DROP TABLE customer", True),
    ],
)
def test_what_counts_as_overwriting(statement, expected):
    assert overwrites(statement) is expected


def test_after_an_erasure_the_log_holds_nothing_of_the_person(salon, database_file):
    customer_id = factories.make_customer(salon.account, NAME, "Erika", notes=f"{NAME} mag Tee")
    # Appending commits keep WAL's cheap commit: the new customer is in the log.
    assert NAME.encode() in _log_bytes(database_file)
    _erase(salon, customer_id)
    assert NAME.encode() not in _log_bytes(database_file)
    assert NAME.encode() not in file_bytes(database_file)  # copied in, where secure_delete zeroed it
    assert db.session.scalar(select(Customer.id).where(Customer.id == customer_id)) is None


def test_a_reader_on_an_older_snapshot_delays_the_truncation_until_it_is_done(salon, database_file):
    customer_id = factories.make_customer(salon.account, NAME, "Erika")
    reader = sqlite3.connect(database_file, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM customer WHERE last_name = ?", (NAME,)).fetchone() == (1,)
        _erase(salon, customer_id)
        # The checkpoint did not wait for the reader (the erasure came back at once) ...
        assert NAME.encode() in _log_bytes(database_file)
        reader.execute("COMMIT")
    finally:
        reader.close()
    # ... and the next connection back in the pool, whatever it did, pays what is owed.
    db.session.execute(select(Customer.id).limit(1))
    db.session.commit()
    assert NAME.encode() not in _log_bytes(database_file)
    assert NAME.encode() not in file_bytes(database_file)
