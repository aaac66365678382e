"""In Chromium, the owner keeps the processor register: completes the prefilled hosting entry,
adds a newsletter tool in a third country with its contract as PDF; then, on an erasure request,
the tool is listed for Art. 19 and the request closes only once it is ticked off."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import PrivacyRequest, Processor
from tests import factories
from tests.browser.conftest import snap
from tests.conftest import TMP

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_the_owner_keeps_the_register_and_ticks_off_an_erasure(page, salon, log_in):
    salon.owner.locale = "de"
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    log_in(page, salon.owner, factories.PASSWORD)

    page.goto("/settings/privacy/")
    expect(page.get_by_text("Die Liste der Auftragsverarbeiter ist unvollständig")).to_be_visible()
    page.get_by_role("link", name="Auftragsverarbeiter", exact=True).click()
    expect(page.get_by_text("Es fehlt noch:")).to_have_count(3)

    # The prefilled hosting entry: the owner adds the company and the contract's day.
    page.locator("#processor-1").get_by_role("link", name="Bearbeiten").click()
    expect(page.get_by_label("Was es für den Salon tut")).to_have_value(
        "Hosting und Betrieb des Datenschutzportals und seiner Datenbank, Datensicherungen"
    )
    page.get_by_label("Name des Unternehmens").fill("Portal-Hosting GmbH")
    page.get_by_label("EU / EWR").check()
    page.get_by_label("AV-Vertrag unterschrieben am").fill((salon.account.today() - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#processor-1")).to_contain_text("Portal-Hosting GmbH")
    expect(page.locator("#processor-1")).not_to_contain_text("Es fehlt noch")

    # A newsletter tool in the USA: the safeguard is asked for, then the contract uploaded.
    page.get_by_role("link", name="Auftragsverarbeiter hinzufügen").click()
    page.get_by_label("Name des Unternehmens").fill("Newsletter Inc.")
    page.get_by_label("Was es für den Salon tut").fill("Versand des Newsletters")
    page.get_by_role("radio", name="Drittland").check()
    page.get_by_label("Land der Verarbeitung").fill("USA")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Bitte wählen Sie die Garantie für die Übermittlung in das Drittland.")).to_be_visible()
    page.get_by_label("Garantie für die Übermittlung").select_option(label="Standardvertragsklauseln (Art. 46 DSGVO)")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status").filter(has_text="Gespeichert.")).to_be_visible()
    pdf = TMP / "av-vertrag.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Unterschriebener AV-Vertrag (PDF, höchstens 10 MB)").set_input_files(str(pdf))
    page.get_by_role("button", name="Hochladen").click()
    expect(page.get_by_role("status").filter(has_text="Der Vertrag ist gespeichert.")).to_be_visible()
    snap(page, "processor-form")
    page.goto("/settings/privacy/processors")
    entry = page.locator(".processor").filter(has_text="Newsletter Inc.")
    expect(entry).to_contain_text("USA · Standardvertragsklauseln (Art. 46 DSGVO)")
    expect(entry.get_by_role("link", name="PDF herunterladen")).to_be_visible()
    snap(page, "processors")

    # An erasure request: the tool is listed, the request stays open until it is ticked off.
    page.goto(f"/customers/{customer_id}/privacy")
    page.get_by_label("Anfrage", exact=True).select_option(label="Löschung")
    page.get_by_role("button", name="Anfrage erfassen").click()
    request_id = db.session.scalars(select(PrivacyRequest.id)).one()
    page.goto(f"/privacy/requests/{request_id}")
    systems = page.locator("#systems")
    expect(systems).to_contain_text("Newsletter Inc.")
    page.get_by_role("button", name="Kunde löschen und erledigen").click()
    dialog = page.locator("#confirm-dialog")
    dialog.get_by_role("textbox").fill("Greta Sommer")
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Kundendaten sind gelöscht.")
    systems.get_by_text("Mit Begründung überspringen").click()
    systems.get_by_role("button", name="Überspringen").click()  # empty reason: the browser asks for it
    assert db.session.scalar(select(PrivacyRequest.status).where(PrivacyRequest.id == request_id)) != "done"
    systems.get_by_role("button", name="Bereinigt").click()
    expect(page.get_by_role("status").filter(has_text="Anfrage erledigt.")).to_be_visible()
    expect(systems).to_contain_text("bereinigt")
    snap(page, "erasure-ticked-off")
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, request_id).status == "done"
    assert db.session.scalars(select(Processor.name).where(Processor.erase_by_hand.is_(True))).all() == [
        "Newsletter Inc."
    ]
