"""One operation, one transaction: committed when it returns, rolled back when it raises, kept
when the error says the failed try is the record; nested operations commit only at the end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Customer
from portal.transaction import KeepChanges, one_transaction, transaction
from tests import factories


class Refused(Exception):
    pass


class Counted(KeepChanges, Exception):
    pass


@transaction
def _rename(customer_id: int, name: str, error: Exception | None = None) -> None:
    db.session.get(Customer, customer_id).last_name = name
    if error is not None:
        raise error


def _stored_name(customer_id: int) -> str:
    db.session.rollback()  # whatever is not committed is gone
    return db.session.scalar(select(Customer.last_name).where(Customer.id == customer_id))


def test_commits_on_return_rolls_back_on_error_and_keeps_what_the_error_asks(salon):
    customer_id = factories.make_customer(salon.account, "Alt")
    _rename(customer_id, "Eins")
    assert _stored_name(customer_id) == "Eins"
    with pytest.raises(Refused):
        _rename(customer_id, "Zwei", Refused())
    assert _stored_name(customer_id) == "Eins"
    with pytest.raises(Counted):
        _rename(customer_id, "Drei", Counted())
    assert _stored_name(customer_id) == "Drei"


def test_nested_operations_commit_once_at_the_outermost(salon):
    customer_id = factories.make_customer(salon.account, "Alt")
    with pytest.raises(Refused), one_transaction():
        _rename(customer_id, "Innen")
        raise Refused()
    assert _stored_name(customer_id) == "Alt"
    with one_transaction():
        _rename(customer_id, "Innen")
        _rename(customer_id, "Außen")
    assert _stored_name(customer_id) == "Außen"
    assert not db.session.info.get("in_transaction")
