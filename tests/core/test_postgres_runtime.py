"""On PostgreSQL a transaction that wrote nothing ends with COMMIT, so that the connection keeps
its prepared statements (psycopg forgets them on ROLLBACK); one that wrote is still rolled back
whole (`portal.postgres_runtime`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Customer
from tests import factories


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's prepared statements (CI runs the suite on PostgreSQL too)")


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
