"""In Chromium, the owner's main path: a customer asks for erasure on the booking page and
confirms by the emailed link; the owner sees it in the privacy cockpit of the dashboard, opens
it, merges a duplicate, erases with the typed confirmation and gets the certificate; the invoice
stays in "Retained records" for the accountant. Screenshots of each step go to
tests/browser/artifacts/."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Customer, Invoice
from tests import factories
from tests.browser.conftest import snap
from tests.conftest import run_worker_burst
from tests.privacy.helpers import link_path, rich_customer


def test_customer_erasure_request_end_to_end(page, salon, log_in, worker_env, mails):
    salon.owner.locale = salon.accountant.locale = "de"
    db.session.commit()
    factories.privacy_settings(
        salon,
        requests_mode="self_service",
        notification_email="inhaber@salon-a.de",
        controller_name="Salon A",
        authority_code="BE",
    )
    customer_id = rich_customer(salon, "Sommer", "Greta", "greta.sommer@example.com", "+491701234567")
    duplicate_id = factories.make_customer(salon.account, "Sommer", "Greta", phone="+491701234567")

    # The customer, on the salon's booking page.
    page.goto(f"/b/{salon.account.slug}/{salon.location.id}/requests")
    page.get_by_label("Was möchten Sie?").select_option(label="Meine Daten löschen (Art. 17 DSGVO)")
    page.get_by_label("Ihre E-Mail-Adresse").fill("greta.sommer@example.com")
    page.get_by_role("button", name="Bestätigungslink senden").click()
    expect(page.get_by_role("heading", name="Bitte sehen Sie in Ihr Postfach")).to_be_visible()

    assert run_worker_burst(worker_env, "emails").returncode == 0
    link = next(
        link for m in mails() if m.to == "greta.sommer@example.com" for link in m.links if "/r/confirm/" in link
    )
    page.goto(link_path(link))
    expect(page.get_by_text("Eine Löschung lässt sich nicht rückgängig machen.")).to_be_visible()
    page.get_by_role("button", name="Ja, Anfrage bestätigen").click()
    expect(page.get_by_role("heading", name="Danke — Ihre Anfrage ist bestätigt")).to_be_visible()
    # A likely duplicate exists, so nothing was erased automatically.
    assert db.session.get(Customer, customer_id) is not None

    # The owner sees it on the dashboard's privacy cockpit and opens it from there.
    log_in(page, salon.owner, factories.PASSWORD)
    cockpit = page.locator(".cockpit")
    expect(cockpit.get_by_role("row", name="Löschung")).to_contain_text("1")
    snap(page, "1-cockpit", docs=True)
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "1-cockpit-phone", docs=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    cockpit.get_by_role("link", name="Löschung").click()
    page.get_by_role("link", name="Löschung").last.click()
    expect(page.get_by_role("heading", name="Verlauf")).to_be_visible()
    expect(page.get_by_text("Die Anfrage ist eingegangen; ab jetzt läuft die Frist.")).to_be_visible()
    snap(page, "2-request", docs=True)
    expect(page.get_by_text("Wahrscheinliche Duplikate dieses Kunden")).to_be_visible()
    # While a likely duplicate is listed, the erase button waits.
    expect(page.get_by_role("button", name="Kunde löschen und erledigen")).to_be_disabled()
    # Merging deletes the other record: the dialog says so and wants its name typed.
    page.get_by_role("button", name="Mit diesem Kunden zusammenführen").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("wird gelöscht. Das lässt sich nicht rückgängig machen.")
    confirm = dialog.get_by_role("button", name="Bestätigen")
    expect(confirm).to_be_disabled()
    dialog.get_by_role("textbox").fill("Greta Somer")  # a typo: still refused
    expect(confirm).to_be_disabled()
    dialog.get_by_role("textbox").fill("greta sommer")
    snap(page, "3-merge-confirmation")
    confirm.click()
    expect(page.get_by_text("Duplikat mit diesem Kunden zusammengeführt.")).to_be_visible()
    page.get_by_role("button", name="Kunde löschen und erledigen").click()
    expect(dialog).to_contain_text("Die Kundenakte von Greta Sommer wird endgültig gelöscht.")
    expect(dialog).to_contain_text("2 Rechnungen bleiben bis 31.12.")
    dialog.get_by_role("button", name="Abbrechen").click()  # cancelled: nothing happens
    assert db.session.get(Customer, customer_id) is not None
    page.get_by_role("button", name="Kunde löschen und erledigen").click()
    dialog.get_by_role("textbox").fill("Greta Sommer")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "4-erasure-confirmation-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("status").filter(has_text="Anfrage erledigt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Löschbestätigung")).to_be_visible()
    snap(page, "5-certificate", docs=True)

    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None and db.session.get(Customer, duplicate_id) is None
    assert db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.retained_until.is_not(None))) == 2

    # The accountant finds the invoices under retained records.
    page.get_by_role("button", name="Abmelden").click()
    log_in(page, salon.accountant, factories.PASSWORD)
    page.get_by_role("link", name="Einstellungen").click()
    page.get_by_role("link", name="Aufbewahrte Belege").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Greta Sommer")
