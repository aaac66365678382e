"""Customer file: create, edit with custom fields, validation, live search with keyset paging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from portal.customers import service as customer_service
from portal.customers.service import search_customers, search_terms
from portal.extensions import db
from portal.models import Customer, CustomerFieldDefinition
from portal.models import account as account_module
from tests import factories

EN = {"Accept-Language": "en"}


def _text(response):
    return response.get_data(as_text=True)


def _count():
    return db.session.scalar(select(func.count()).select_from(Customer))


def test_create_customer_normalises_contact_data(salon, login_as):
    client = login_as(salon.staff)
    response = client.post(
        "/customers/new",
        data={
            "first_name": " Erika ",
            "last_name": "Mustermann",
            "email": "Erika.M@Example.COM",
            "phone": "0170 1234567",
            "birthday": "1980-05-17",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
        },
    )
    assert response.status_code == 302
    customer = db.session.scalars(select(Customer)).one()
    assert customer.account_id == salon.account.id
    assert (customer.first_name, customer.email, customer.phone) == ("Erika", "erika.m@example.com", "+491701234567")
    assert customer.birthday == date(1980, 5, 17)


def test_invalid_input_is_explained_and_nothing_is_saved(salon, login_as):
    client = login_as(salon.owner)
    tomorrow = (salon.account.today() + timedelta(days=1)).isoformat()  # the salon's tomorrow
    response = client.post(
        "/customers/new",
        headers=EN,
        data={
            "last_name": "",
            "email": "nope@",
            "phone": "12",
            "birthday": tomorrow,
            "postal_code": "1234",
            "country": "DE",
            "notes": "x" * 6000,
        },
    )
    assert response.status_code == 422
    text = _text(response)
    for message in (
        "Please enter the last name.",
        "This is not a valid email address.",
        "This is not a valid phone number.",
        "The birthday cannot be in the future.",
        "A German postal code has five digits.",
        "At most 5000 characters.",
    ):
        assert message in text
    assert _count() == 0


def test_a_birthday_on_the_salons_today_is_not_in_the_future(salon, login_as, monkeypatch):
    """00:30 on 15 July in Berlin is still the 14th in UTC: a customer born that day is welcome."""
    monkeypatch.setattr(account_module, "utcnow", lambda: datetime(2026, 7, 14, 22, 30, tzinfo=UTC))
    response = login_as(salon.owner).post(
        "/customers/new", headers=EN, data={"last_name": "Neugeboren", "birthday": "2026-07-15", "country": "DE"}
    )
    assert "The birthday cannot be in the future." not in _text(response)
    assert db.session.scalars(select(Customer.birthday).where(Customer.last_name == "Neugeboren")).one() == date(
        2026, 7, 15
    )
    response = login_as(salon.owner).post(
        "/customers/new", headers=EN, data={"last_name": "Morgen", "birthday": "2026-07-16", "country": "DE"}
    )
    assert "The birthday cannot be in the future." in _text(response)


def test_german_validation_messages(salon, login_as):
    salon.owner.locale = "de"
    db.session.commit()
    response = login_as(salon.owner).post("/customers/new", data={"last_name": "", "country": "DE"})
    assert "Bitte geben Sie den Nachnamen ein." in _text(response)


def test_malformed_birthday_is_a_message_not_a_500(salon, login_as):
    response = login_as(salon.owner).post(
        "/customers/new", headers=EN, data={"last_name": "X", "birthday": "31.02.abc", "country": "DE"}
    )
    assert response.status_code == 422
    assert _count() == 0


def test_oversized_request_is_refused(salon, login_as):
    response = login_as(salon.owner).post("/customers/new", data={"last_name": "X", "notes": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert _count() == 0


def test_edit_with_custom_fields_via_htmx(salon, login_as):
    recipe = CustomerFieldDefinition(
        account_id=salon.account.id, key="recipe", label="Farbrezeptur", field_type="textarea"
    )
    hair = CustomerFieldDefinition(
        account_id=salon.account.id, key="hair", label="Haartyp", field_type="choice", choices=["fein", "lockig"]
    )
    db.session.add_all([recipe, hair])
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Weber", phone="+491701111111")
    client = login_as(salon.staff)
    page = _text(client.get(f"/customers/{customer_id}"))
    assert "Farbrezeptur" in page and "+49 170 1111111" in page
    response = client.post(
        f"/customers/{customer_id}",
        headers={"HX-Request": "true", **EN},
        data={
            "first_name": "Erika",
            "last_name": "Weber",
            "phone": "+49 171 2222222",
            "country": "DE",
            f"cf_{recipe.id}": "7/1 + 6% Oxid",
            f"cf_{hair.id}": "lockig",
        },
    )
    assert response.status_code == 200
    assert "Saved." in _text(response)
    assert "<html" not in _text(response)  # a fragment for htmx
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]
    db.session.expire_all()
    customer = db.session.get(Customer, customer_id)
    assert customer.phone == "+491712222222"
    assert {v.field_id: v.value for v in customer.field_values} == {recipe.id: "7/1 + 6% Oxid", hair.id: "lockig"}
    assert "2222222" in customer.search_text


def test_the_form_follows_the_salons_own_fields_as_they_change(salon, login_as):
    """The form classes are made once per shape of the salon's fields: a field added, switched
    off or another one added shows on the next look at the file."""
    from portal.audit import Actor

    actor = Actor(salon.account.id, salon.owner.id)
    customer_id = factories.make_customer(salon.account, "Weber")
    client = login_as(salon.owner)

    def form_labels():
        page = _text(client.get(f"/customers/{customer_id}", headers=EN))
        return {label for label in ("Haartyp", "Farbrezeptur", "lockig") if label in page}

    assert form_labels() == set()
    hair = customer_service.add_field_definition(actor, "Haartyp", "choice", ["fein", "lockig"])
    db.session.commit()
    assert form_labels() == {"Haartyp", "lockig"}
    customer_service.set_field_active(actor, hair, False)
    customer_service.add_field_definition(actor, "Farbrezeptur", "textarea", [])
    db.session.commit()
    assert form_labels() == {"Farbrezeptur"}


def test_edit_with_invalid_choice_changes_nothing(salon, login_as):
    hair = CustomerFieldDefinition(
        account_id=salon.account.id, key="hair", label="Haartyp", field_type="choice", choices=["fein"]
    )
    db.session.add(hair)
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Weber")
    response = login_as(salon.owner).post(
        f"/customers/{customer_id}",
        headers={"HX-Request": "true", **EN},
        data={"last_name": "Changed", "country": "DE", f"cf_{hair.id}": "bogus"},
    )
    assert response.status_code == 200 and "Not a valid choice." in _text(response)
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).last_name == "Weber"


def test_search_matches_name_email_and_phone_in_any_form(salon, other_salon):
    factories.make_customer(salon.account, "Schäfer", "Anna", email="anna@salon.example", phone="+491701234567")
    factories.make_customer(salon.account, "Becker", "Jonas", phone="+491609876543")
    factories.make_customer(other_salon.account, "Schäfer", "Anna")

    def names(query):
        return [c.last_name for c in search_customers(salon.account.id, query, None, 25).customers]

    assert names("schä") == ["Schäfer"]
    assert names("anna schäfer") == ["Schäfer"]
    assert names("SALON.EXAMPLE") == ["Schäfer"]
    assert names("0170 1234") == ["Schäfer"]
    assert names("+49 160 987") == ["Becker"]
    assert names("100%") == []  # wildcards are literal
    assert names("") == ["Becker", "Schäfer"]
    assert search_terms("0170/123-45") == ["017012345"]


def _every_page(salon, query: str, limit: int) -> list[str]:
    """The last names of every page of a search, following its "more" cursor."""
    seen, after = [], None
    while True:
        page = search_customers(salon.account.id, query, after, limit)
        seen += [c.last_name for c in page.customers]
        if not page.next_after:
            return seen
        after = page.next_after


def test_keyset_paging_visits_every_customer_once(salon):
    for n in range(53):
        factories.make_customer(salon.account, f"Name{n:03d}")
    assert _every_page(salon, "name", 25) == sorted(f"Name{n:03d}" for n in range(53))


def test_a_fragment_pages_through_its_matches_in_name_order(salon, other_salon):
    """A fragment is found through the trigram index (customer_gram, read in name order) page by
    page, with no customer twice or left out, and none of another salon."""
    for n in range(12):
        factories.make_customer(salon.account, f"Albers{n:02d}")
    for n in range(23):
        factories.make_customer(salon.account, f"Zimmermann{n:02d}", "Tom" if n % 2 else "Tina")
    factories.make_customer(other_salon.account, "Zimmermann99")
    assert _every_page(salon, "zimm t", 10) == [f"Zimmermann{n:02d}" for n in range(23)]
    assert [c.first_name for c in search_customers(salon.account.id, "zimmermann01", None, 10).customers] == ["Tom"]


def test_live_search_endpoint_pages_with_more_button(app, salon, login_as):
    for n in range(30):
        factories.make_customer(salon.account, f"Kunde{n:02d}")
    client = login_as(salon.staff)
    first = _text(client.post("/customers/search", data={"q": "kunde"}, headers={"HX-Request": "true"}))
    assert first.count("/customers/") >= 25 and "Kunde24" in first and "Kunde25" not in first
    assert 'name="after"' in first
    after = first.split('name="after" value="')[1].split('"')[0]
    more = _text(client.post("/customers/search", data={"q": "kunde", "after": after}, headers={"HX-Request": "true"}))
    assert "Kunde25" in more and "Kunde29" in more and "Kunde24" not in more
    assert 'name="after"' not in more


def test_search_term_never_lands_in_a_url(salon, login_as):
    client = login_as(salon.staff)
    page = _text(client.get("/customers"))
    assert 'hx-post="/customers/search"' in page and 'hx-get="/customers/search' not in page


def test_the_accountant_reads_the_file_without_notes_own_fields_or_consents(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Buchhaltung", notes="Allergie: Nickel")
    owner = login_as(salon.owner)
    assert "Allergie: Nickel" in owner.get(f"/customers/{customer_id}").get_data(as_text=True)
    accountant = login_as(salon.accountant)
    page = accountant.get(f"/customers/{customer_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Buchhaltung" in page and "Allergie: Nickel" not in page
    assert "Read only: your login can see this customer file but not change it." in page
    assert accountant.get(f"/customers/{customer_id}/messages").status_code == 404
    assert accountant.get(f"/customers/{customer_id}/invoices").status_code == 200  # the books stay


def test_names_sort_as_in_a_german_phone_book(salon):
    for last, first in (("Braun", "Anna"), ("Böhm", "Carla"), ("Bohm", "Bert"), ("Ärger", "Eva"), ("Strauß", "Ida")):
        factories.make_customer(salon.account, last, first)
    factories.make_customer(salon.account, "Straus", "Hans")
    names = [c.last_name for c in search_customers(salon.account.id, "", None, 10).customers]
    # Ä as A, ö as o, ß as ss (DIN 5007-1): Böhm beside Bohm, not after Braun.
    assert names == ["Ärger", "Bohm", "Böhm", "Braun", "Straus", "Strauß"]
