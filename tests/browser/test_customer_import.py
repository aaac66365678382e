"""In Chromium, as the owner: upload a German file from the previous software, check the guessed
columns, let a worker check every row, choose what happens to a duplicate, confirm the summary
and watch the import finish; the customers are there. At desktop and phone width, in German;
the English pages at phone width."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Customer
from tests import factories
from tests.browser.conftest import snap
from tests.conftest import run_worker_burst
from tests.imports.helpers import german_csv

ROWS = [
    "4711;Müßig;Jördis;joerdis@example.com;0170 1234567;03.02.1985;ja",
    "4712;Sommer;Greta;greta@example.com;;;nein",
    "4713;Böhm;Ärne;;0171 7654321;31.02.1990;",
    "4714;Weiß;Zoë;zoe@example.com;;1987-01-01;ja",
]
HEADER = "Kd-Nr;Nachname;Vorname;E-Mail;Mobil;Geburtstag;Newsletter"


def test_import_a_file_from_the_previous_software(page, salon, log_in, worker_env, tmp_path):
    salon.owner.locale = "de"
    db.session.commit()
    existing = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    file = tmp_path / "kunden-shore.csv"
    file.write_bytes(german_csv(ROWS, HEADER))

    log_in(page, salon.owner, factories.PASSWORD)
    page.get_by_role("link", name="Kunden", exact=True).click()
    page.get_by_role("link", name="Importieren").click()
    page.get_by_label("Datei (CSV oder XLSX, höchstens 50 MB)").set_input_files(str(file))
    page.get_by_label("Bisheriges Programm").fill("Shore")
    page.get_by_role("button", name="Hochladen und Spalten zeigen").click()

    # The columns as guessed, the file as read (Windows-1252: the umlauts are right).
    expect(page.get_by_role("heading", name="Was jede Spalte wird")).to_be_visible()
    expect(page.get_by_text("CSV-Datei: Windows-1252, getrennt durch Semikolon (;).")).to_be_visible()
    expect(page.locator("table.preview")).to_contain_text("Müßig")
    expect(page.get_by_label("Nachname", exact=True)).to_have_value("last_name")
    expect(page.get_by_label("Newsletter")).to_have_value("consent_email")
    snap(page, "import-1-mapping", docs=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "import-1-mapping-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A field chosen twice is refused, with words; nothing starts.
    page.get_by_label("Vorname").select_option("last_name")
    page.get_by_role("button", name="Alle Zeilen prüfen").click()
    expect(page.get_by_text("Ein Feld ist für zwei Spalten gewählt.")).to_be_visible()
    page.get_by_label("Vorname").select_option("first_name")
    page.get_by_role("button", name="Alle Zeilen prüfen").click()
    expect(page.get_by_role("heading", name="Jede Zeile wird geprüft")).to_be_visible()

    # A worker checks the rows; the page follows and shows the result.
    assert run_worker_burst(worker_env, "default").returncode == 0
    expect(page.get_by_role("heading", name="Zusammenfassung")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Dieses Datum gibt es nicht.")).to_be_visible()
    duplicates = page.locator("table.duplicates")
    expect(duplicates).to_contain_text("gleiche E-Mail")
    duplicates.get_by_role("combobox").select_option("update")
    page.get_by_role("button", name="Auswahl übernehmen").click()
    expect(page.locator(".stats")).to_contain_text("2neu")
    expect(page.locator(".stats")).to_contain_text("1aktualisiert")
    snap(page, "import-2-check", docs=True)

    # Confirm the summary in the dialog; cancelling changes nothing.
    page.get_by_role("button", name="Jetzt importieren").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("2 Kunden werden neu angelegt und 1 aktualisiert.")
    dialog.get_by_role("button", name="Abbrechen").click()
    assert db.session.scalar(select(Customer.id).where(Customer.last_name == "Müßig")) is None
    page.get_by_role("button", name="Jetzt importieren").click()
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("heading", name="Die Kunden werden importiert")).to_be_visible()
    assert run_worker_burst(worker_env, "default").returncode == 0
    expect(page.get_by_text("2 neu, 1 aktualisiert, 0 übersprungen, 1 fehlerhaft.")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="Import rückgängig machen")).to_be_visible()
    snap(page, "import-3-done", docs=True)

    page.get_by_role("link", name="Zu den Kunden").click()
    results = page.locator("#results")
    for name in ("Müßig", "Weiß", "Sommer"):
        expect(results).to_contain_text(name)
    db.session.expire_all()
    greta = db.session.get(Customer, existing)
    assert greta.legacy_number == "4712" and greta.import_source == "Shore"

    # The English pages fit a phone too.
    page.get_by_role("button", name="English").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/customers/import")
    expect(page.get_by_role("heading", name="Earlier imports")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "import-0-index-phone-en")
    page.locator("table a").first.click()
    expect(page.get_by_text("2 new, 1 updated, 0 skipped, 1 with errors.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "import-3-done-phone-en")
