"""In Chromium, the owner's accountability file: the record of processing with a note and an own
activity (refused without a purpose), downloaded as PDF; then the evidence pack built by the
worker with its progress, and downloaded through the emailed link (once: tests/accountability)."""

from __future__ import annotations

import io
import zipfile

from playwright.sync_api import expect
from pypdf import PdfReader

from portal.extensions import db
from tests import factories
from tests.browser.conftest import snap
from tests.conftest import run_worker_burst
from tests.privacy.helpers import link_path


def test_the_record_of_processing_and_the_evidence_pack(page, salon, log_in, worker_env, mails):
    salon.owner.locale = "de"
    db.session.commit()
    factories.privacy_settings(salon, controller_name="Salon A GmbH", controller_email="kontakt@salon-a.de")
    log_in(page, salon.owner, factories.PASSWORD)

    page.goto("/settings/privacy/")
    page.get_by_role("link", name="Verzeichnis von Verarbeitungstätigkeiten").click()
    expect(page.get_by_role("heading", name="Termine und Kundenakte")).to_be_visible()
    expect(page.get_by_text("Version 1 vom")).to_be_visible()
    card = page.locator("#activity-appointments")
    card.get_by_label("Anmerkung des Salons (optional)").fill("Fotos nur mit Einwilligung")
    card.get_by_role("button", name="Anmerkung speichern").click()
    expect(page.get_by_text("Version 2 vom")).to_be_visible()

    page.get_by_role("link", name="Tätigkeit hinzufügen").click()
    page.get_by_label("Bezeichnung der Tätigkeit").fill("Terminbuch auf Papier")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Eine Verarbeitung ohne Zweck ist nicht zulässig.")).to_be_visible()
    page.get_by_label("Zwecke").fill("Termine am Telefon notieren")
    page.get_by_label("Rechtsgrundlage").fill("Art. 6 Abs. 1 lit. b DSGVO")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name="Terminbuch auf Papier")).to_be_visible()
    snap(page, "record")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "record-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.locator(".page-head").get_by_role("link", name="PDF").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Terminbuch auf Papier" in " ".join(text.split())

    # The evidence pack: started, built by the worker (progress polled), downloaded once.
    page.goto("/settings/privacy/")
    page.get_by_role("link", name="Nachweispaket").click()
    page.get_by_role("button", name="Nachweispaket erstellen").click()
    expect(page.get_by_role("status").filter(has_text="Wird erstellt: Schritt")).to_be_visible()
    assert run_worker_burst(worker_env, "exports", "emails").returncode == 0
    expect(page.get_by_role("status").filter(has_text="Fertig: Der Download-Link")).to_be_visible(timeout=10_000)
    snap(page, "evidence")
    link = next(link for m in mails() for link in m.links if "/evidence/downloads/" in link)
    page.goto(link_path(link))
    with page.expect_download() as download:
        page.get_by_role("button", name="Herunterladen").click()
    names = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())).namelist()
    assert "1-verarbeitungsverzeichnis/verzeichnis.pdf" in names and "7-datenpannen/datenpannen.csv" in names
