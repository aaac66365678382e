"""In Chromium: log in, search a customer live, open the file, edit a field, see it saved."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Customer, CustomerFieldDefinition
from tests import factories
from tests.conftest import TMP

SCREENSHOTS = TMP / "screenshots"
SCREENSHOTS.mkdir(exist_ok=True)


def test_login_search_open_edit_save(page, salon):
    salon.staff.locale = "de"
    recipe = CustomerFieldDefinition(
        account_id=salon.account.id, key="recipe", label="Farbrezeptur", field_type="textarea"
    )
    db.session.add(recipe)
    db.session.commit()
    for n in range(30):
        factories.make_customer(salon.account, f"Kundin{n:02d}")
    target = factories.make_customer(salon.account, "Sonnenberg", "Clara", phone="+491701234567")

    page.goto("/customers")
    page.get_by_label("E-Mail").fill(salon.staff.email)
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Kunden")).to_be_visible()
    # htmx (a deferred script) listens from DOMContentLoaded on: typing before that would be lost
    # (it was, now and then, on a loaded machine).
    page.wait_for_load_state("load")

    # Live search: typing narrows the list without a page load.
    page.get_by_placeholder("Nach Name, E-Mail oder Telefon suchen …").fill("sonnenb")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Sonnenberg, Clara")).to_be_visible()
    expect(results.get_by_role("link")).to_have_count(1)
    page.get_by_placeholder("Nach Name, E-Mail oder Telefon suchen …").fill("0170 123")
    expect(results.get_by_role("link", name="Sonnenberg, Clara")).to_be_visible()

    results.get_by_role("link", name="Sonnenberg, Clara").click()
    expect(page.get_by_role("heading", name="Clara Sonnenberg")).to_be_visible()
    page.get_by_label("Farbrezeptur").fill("7/1 + 6% Oxid, 30 min")
    page.get_by_label("Telefon").fill("0171 9876543")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "customer-saved.png"), full_page=True)

    db.session.expire_all()
    customer = db.session.get(Customer, target)
    assert customer.phone == "+491719876543"
    assert [v.value for v in customer.field_values] == ["7/1 + 6% Oxid, 30 min"]

    # A tab loads in place; reloading shows the saved value.
    page.get_by_role("tab", name="Termine").click()
    expect(page.get_by_text("Keine Termine.")).to_be_visible()
    page.reload()
    page.get_by_role("tab", name="Daten", exact=True).click()
    expect(page.get_by_label("Farbrezeptur")).to_have_value("7/1 + 6% Oxid, 30 min")


def test_invalid_edit_shows_message_and_keeps_data(page, salon):
    salon.owner.locale = "de"
    db.session.commit()
    target = factories.make_customer(salon.account, "Weber", "Jonas")
    page.goto("/login")
    page.get_by_label("E-Mail").fill(salon.owner.email)
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"/customers/{target}")
    page.get_by_label("E-Mail").fill("kein-at-zeichen")
    page.get_by_label("Nachname").fill("Geändert")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Das ist keine gültige E-Mail-Adresse.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Customer, target).last_name == "Weber"
