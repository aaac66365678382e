"""SQLite's trigram index of the live search (customer_gram) follows every change of a customer
through the triggers: written with the customer, renewed when the name changes, gone with an
erasure — and a fragment found through it is found as a walk through the names finds it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import Actor
from portal.customers import service as customer_service
from portal.customers.service import search_customers, update_customer
from portal.extensions import db
from portal.models import Customer, CustomerGram
from portal.requests.erasure import erase_customer
from tests import factories


@pytest.fixture(autouse=True)
def _sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL searches through pg_trgm; customer_gram stays empty there")


def _pieces(customer_id: int) -> set[str]:
    return set(db.session.scalars(select(CustomerGram.gram).where(CustomerGram.customer_id == customer_id)))


def _every_piece(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def test_the_pieces_follow_the_customer_from_creation_to_erasure(salon):
    actor = Actor(salon.account.id, None)
    customer_id = factories.make_customer(
        salon.account, "Wüstenrot", "Ida", email="ida.w@example.com", phone="+491701112233"
    )
    customer = db.session.get(Customer, customer_id)
    assert _pieces(customer_id) == _every_piece(customer.search_text) and "wüs" in _pieces(customer_id)

    update_customer(actor, customer, {"last_name": "Quandt", "first_name": "Ida"}, {})
    db.session.commit()
    assert _pieces(customer_id) == _every_piece(customer.search_text)
    assert "qua" in _pieces(customer_id) and "wüs" not in _pieces(customer_id)

    erase_customer(actor, customer)
    db.session.commit()
    assert _pieces(customer_id) == set()
    assert db.session.scalar(select(CustomerGram.gram).where(CustomerGram.account_id == salon.account.id)) is None


@pytest.mark.parametrize("query", ["zimm", "example.org", "0170 98", "mann to"])
def test_a_fragment_is_found_through_the_pieces_as_by_walking(salon, other_salon, monkeypatch, query):
    for n in range(8):
        factories.make_customer(salon.account, f"Albers{n:02d}")
    for n in range(6):
        factories.make_customer(
            salon.account,
            f"Zimmermann{n:02d}",
            "Tom" if n % 2 else "Tina",
            email=f"z{n}@example.org",
            phone=f"+4917098{n:05d}",
        )
    factories.make_customer(other_salon.account, "Zimmermann99", "Tom", email="z99@example.org")
    walked = [c.last_name for c in search_customers(salon.account.id, query, None, 50).customers]
    monkeypatch.setattr(customer_service, "WALK", 2)  # too few names walked: the pieces are looked up
    found = [c.last_name for c in search_customers(salon.account.id, query, None, 50).customers]
    expected = [f"Zimmermann{n:02d}" for n in range(6) if query != "mann to" or n % 2]
    assert found == walked == expected


def test_a_remembered_count_gone_stale_changes_which_piece_is_read_first_never_what_is_found(salon):
    customer_service._holder_counts.clear()
    factories.make_customer(salon.account, "Zimmermann00", "Tina")
    first = [c.last_name for c in search_customers(salon.account.id, "zimmermann", None, 50).customers]
    for n in range(1, 6):
        factories.make_customer(salon.account, f"Zimmermann{n:02d}", "Tom")
    for n in range(8):
        factories.make_customer(salon.account, f"Sommer{n}", "Anna")  # "mer" is now common, "zim" rare
    found = [c.last_name for c in search_customers(salon.account.id, "zimmermann", None, 50).customers]
    # The counts of the first search are still the ones used (one holder each) ...
    assert customer_service._holder_counts[(salon.account.id, "zim")][1] == 1
    # ... and every customer is found all the same.
    assert first == ["Zimmermann00"]
    assert found == [f"Zimmermann{n:02d}" for n in range(6)]
