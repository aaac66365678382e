"""The live search's trigram index (customer_gram) follows every change of a customer through
the triggers of either database: written with the customer, renewed when the name changes, written
for a whole import at once, gone with an erasure — and a fragment found through it is
found as reading every customer finds it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import Actor
from portal.customers import service as customer_service
from portal.customers.service import search_customers, update_customer
from portal.extensions import db
from portal.models import Customer, CustomerGram, CustomerImport, PrivacyRequest
from portal.requests.erasure import erase_customer
from tests import factories
from tests.imports.helpers import checked, confirmed_and_run, german_csv, import_id_of, upload
from tests.privacy.helpers import erasure_confirmation


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


@pytest.mark.parametrize("query", ["zimm", "example.org", "0170 98", "mann to", "zimmermann tom"])
def test_a_fragment_is_found_through_the_pieces_as_by_reading_every_customer(salon, other_salon, query):
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
    found = [c.last_name for c in search_customers(salon.account.id, query, None, 50).customers]
    every = db.session.scalars(
        select(Customer).where(Customer.account_id == salon.account.id).order_by(Customer.sort_name, Customer.id)
    )
    words = customer_service.search_terms(query)
    read = [c.last_name for c in every if all(word in c.search_text for word in words)]
    expected = [f"Zimmermann{n:02d}" for n in range(6) if not query.endswith(("to", "tom")) or n % 2]
    assert found == read == expected


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


def test_an_import_writes_the_pieces_of_all_its_customers_at_once_and_its_undo_takes_them(salon, login_as):
    client = login_as(salon.owner)
    rows = [f"Quellmalz{n:02d};Ida;ida{n}@example.org;0170 55{n:05d};" for n in range(12)]
    imp = db.session.get(
        CustomerImport, import_id_of(upload(client, german_csv(rows, "Nachname;Vorname;E-Mail;Mobil;Geburtstag")))
    )
    imp = confirmed_and_run(client, checked(client, imp.id), new=12)
    imported = {c.id: c.search_text for c in db.session.scalars(select(Customer).where(Customer.import_id == imp.id))}
    assert len(imported) == 12
    assert all(_pieces(customer_id) == _every_piece(text) for customer_id, text in imported.items())
    found = [c.last_name for c in search_customers(salon.account.id, "quellmalz", None, 50).customers]
    assert found == [f"Quellmalz{n:02d}" for n in range(12)]

    assert client.post(f"/customers/import/{imp.id}/undo", data={"confirm": "12"}).status_code == 302
    db.session.expire_all()
    assert all(_pieces(customer_id) == set() for customer_id in imported)
    assert search_customers(salon.account.id, "quellmalz", None, 50).customers == []


@pytest.mark.parametrize("query", ["zimmermann tom", "zimm", "0170 98", "mann to"])
def test_postgresql_reads_the_pieces_batch_by_batch_and_finds_every_match_once(salon, login_as, monkeypatch, query):
    """PostgreSQL reads a piece's holders in batches (service._page_through_holders): with
    batches of two to four holders, every page still holds the matches in name order, none
    twice, none left out, and no restricted customer (Art. 18)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads the pieces in one statement")
    monkeypatch.setattr(customer_service, "FIRST_BATCH", 2)
    monkeypatch.setattr(customer_service, "LAST_BATCH", 4)
    for n in range(9):
        factories.make_customer(salon.account, f"Albers{n:02d}", "Tom", phone=f"+4917197{n:05d}")
        factories.make_customer(
            salon.account, f"Zimmermann{n:02d}", "Tom" if n % 2 else "Tina", phone=f"+4917098{n:05d}"
        )
    restricted = factories.make_customer(salon.account, "Zimmermann99", "Tom", phone="+491709899999")
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{restricted}/privacy-requests",
        data={"kind": "restriction", "channel": "in_person", "location_id": salon.location.id},
    )
    request_id = db.session.scalar(select(PrivacyRequest.id).where(PrivacyRequest.customer_id == restricted))
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    db.session.expire_all()
    assert db.session.get(Customer, restricted).restricted_at is not None
    words = customer_service.search_terms(query)
    every = db.session.scalars(
        select(Customer).where(Customer.account_id == salon.account.id).order_by(Customer.sort_name, Customer.id)
    )
    expected = [c.last_name for c in every if c.restricted_at is None and all(word in c.search_text for word in words)]
    seen, after = [], None
    while True:
        page = search_customers(salon.account.id, query, after, 3)
        seen += [c.last_name for c in page.customers]
        if not page.next_after:
            break
        after = page.next_after
    assert seen == expected and len(expected) >= 4
