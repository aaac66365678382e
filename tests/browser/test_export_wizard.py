"""In Chromium: walk the export wizard, follow the emailed link, enter the password, watch the
progress bar finish, and download the file via the second email."""

from __future__ import annotations

import csv
import io
import threading

from playwright.sync_api import expect

from portal.extensions import db
from tests import factories
from tests.conftest import TMP, run_worker_burst
from tests.privacy.helpers import link_path


def test_export_wizard_end_to_end(page, salon, log_in, worker_env, mails):
    salon.owner.locale = "de"
    db.session.commit()
    for n in range(40):
        factories.make_customer(salon.account, f"Kundin{n:02d}", "Jördis", notes="Zeile 1\nZeile 2")

    log_in(page, salon.owner, factories.PASSWORD)
    page.get_by_role("link", name="Einstellungen").click()
    page.get_by_role("link", name="Kunden exportieren").click()
    page.get_by_role("button", name="+ Neuer Export").click()

    wizard = page.locator("#wizard")
    wizard.get_by_label(salon.owner.email).check()
    wizard.get_by_role("button", name="Weiter").click()
    expect(wizard.get_by_role("heading", name="Welche Felder?")).to_be_visible()
    wizard.get_by_role("button", name="Weiter").click()  # nothing chosen
    expect(wizard.get_by_text("Bitte wählen Sie mindestens ein Feld.")).to_be_visible()
    wizard.get_by_label("Alle auswählen").check()
    expect(wizard.get_by_label("Notizen")).to_be_checked()
    wizard.get_by_label("Kundennummer").uncheck()
    expect(wizard.get_by_label("Alle auswählen")).not_to_be_checked()
    wizard.get_by_label("CSV für deutsches Excel (Semikolon, UTF-8)").check()
    wizard.get_by_role("button", name="Weiter").click()
    expect(wizard.get_by_role("heading", name="Zusammenfassung")).to_be_visible()
    expect(wizard.get_by_text("einmal; die Datei wird direkt nach dem Herunterladen gelöscht")).to_be_visible()
    wizard.get_by_role("button", name="Zurück").click()  # back keeps what was chosen
    expect(wizard.get_by_label("Notizen")).to_be_checked()
    expect(wizard.get_by_label("Kundennummer")).not_to_be_checked()
    expect(wizard.get_by_label("Mehrmaliges Herunterladen innerhalb der 24 Stunden erlauben")).not_to_be_checked()
    wizard.get_by_role("button", name="Weiter").click()
    wizard.get_by_role("button", name="Bestätigungs-E-Mail senden").click()
    expect(page.get_by_text("Wartet darauf, dass der Empfänger mit seinem Passwort bestätigt.")).to_be_visible()
    detail_url = page.url

    assert run_worker_burst(worker_env, "emails").returncode == 0
    confirm = next(link for m in mails() for link in m.links if "/exports/confirm/" in link)
    page.goto(link_path(confirm))
    page.get_by_label("Passwort").fill("falsches-passwort")
    page.get_by_role("button", name="Bestätigen und Export starten").click()
    expect(page.get_by_text("Das Passwort ist falsch.")).to_be_visible()
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    page.get_by_role("button", name="Bestätigen und Export starten").click()
    expect(page.get_by_role("heading", name="Export bestätigt")).to_be_visible()

    page.goto(detail_url)
    worker = threading.Thread(target=run_worker_burst, args=(worker_env, "exports", "emails"))
    worker.start()
    progress = page.locator("progress.progress")
    expect(progress).to_have_attribute("value", "100", timeout=20000)
    expect(page.get_by_text("bereit zum Download").first).to_be_visible()
    # The last poll brought the timeline along: started and finished, without a reload.
    timeline = page.locator("#export-timeline")
    expect(timeline.get_by_text("gestartet")).to_be_visible()
    expect(timeline.get_by_text("fertig; Download-E-Mail versandt")).to_be_visible()
    worker.join(60)
    page.screenshot(path=str(TMP / "screenshots" / "export-finished.png"), full_page=True)

    download_link = next(link for m in mails() for link in m.links if "/exports/download/" in link)
    page.goto(link_path(download_link))
    with page.expect_download() as info:
        page.get_by_role("button", name="Herunterladen").click()
    content = open(info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    assert rows[0][0] == "Vorname" and len(rows) == 41
    assert rows[0][9] == "Notizen" and rows[1][9] == "Zeile 1\nZeile 2"
