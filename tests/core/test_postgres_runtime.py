"""On PostgreSQL a transaction that wrote nothing ends with COMMIT, so that the connection keeps
its prepared statements (psycopg forgets them on ROLLBACK); one that wrote is still rolled back
whole; a connection is pinged only after it lay idle (`portal.postgres_runtime`)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from portal import postgres_runtime
from portal.extensions import db
from portal.models import Customer
from tests import factories


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's connections (CI runs the suite on PostgreSQL too)")


def _prepared_on_this_connection() -> int:
    return db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def test_reads_keep_their_prepared_statements_from_request_to_request(postgres, salon, login_as):
    owner = login_as(salon.owner)
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        assert owner.get("/customers").status_code == 200
    db.session.remove()
    db.engine.dispose()  # one connection in the pool: the pages' and then the check's
    for _ in range(8):
        assert owner.get("/customers").status_code == 200
    assert _prepared_on_this_connection() > 0


def test_a_transaction_that_wrote_is_still_rolled_back_whole(postgres, salon):
    account_id = salon.account.id
    factories.make_customer(salon.account, "Bleibt")
    db.session.add(Customer(account_id=account_id, first_name="Nie", last_name="Gespeichert"))
    db.session.flush()
    db.session.rollback()
    db.session.remove()
    names = db.session.scalars(select(Customer.last_name).where(Customer.account_id == account_id)).all()
    assert names == ["Bleibt"]
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


def test_a_connection_is_pinged_only_after_it_lay_idle_and_a_dead_one_is_replaced(
    postgres, salon, login_as, monkeypatch
):
    owner = login_as(salon.owner)
    assert owner.get("/customers").status_code == 200
    pings = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    for _ in range(3):  # one request after the other: no ping
        assert owner.get("/customers").status_code == 200
    assert pings == []

    db.session.remove()
    db.engine.dispose()  # one connection in the pool, then
    backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.remove()
    # ... the server ends it while it lies idle (a restart, a dropped connection) ...
    with create_engine(db.engine.url, poolclass=NullPool).connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    later = postgres_runtime.monotonic() + postgres_runtime.PING_AFTER_IDLE_SECONDS + 1
    monkeypatch.setattr(postgres_runtime, "monotonic", lambda: later)
    # ... and the next page pings it, finds it dead and gets a new one.
    assert owner.get("/customers").status_code == 200
    assert pings == [1]
    assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != backend
