"""In Chromium: change the notification email (saved in place with htmx), see the change in the
settings history, open the public notice and find the DPO and an extension in it."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from tests import factories
from tests.conftest import TMP


def test_notification_email_history_and_public_notice(page, salon, log_in, live_server):
    salon.owner.locale = "de"
    db.session.commit()
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/settings/privacy/")
    expect(page.get_by_text("Die Datenschutzhinweise sind nicht veröffentlicht")).to_be_visible()
    page.get_by_role("link", name="Datenschutzeinstellungen").first.click()

    notification = page.locator("#section-notification")
    notification.get_by_label("E-Mail-Adresse für Benachrichtigungen").fill("kein-at")
    notification.get_by_role("button", name="Speichern").click()
    expect(notification.get_by_text("Das ist keine gültige E-Mail-Adresse.")).to_be_visible()
    notification.get_by_label("E-Mail-Adresse für Benachrichtigungen").fill("datenschutz@salon-a.de")
    notification.get_by_role("button", name="Speichern").click()
    expect(page.locator("#section-notification").get_by_text("Gespeichert.")).to_be_visible()

    dpo = page.locator("#section-dpo")
    dpo.get_by_label("Name").fill("Dr. Dora Daten")
    dpo.get_by_label("E-Mail").fill("dsb@example.com")
    dpo.get_by_role("button", name="Speichern").click()
    expect(page.locator("#section-dpo").get_by_text("Gespeichert.")).to_be_visible()
    extensions = page.locator("#section-extensions")
    extensions.get_by_label("Ihre eigenen Passagen").fill(
        "## Fotos\n\nVorher-Nachher-Fotos nur mit **Ihrer Erlaubnis**."
    )
    extensions.get_by_role("button", name="Speichern").click()
    expect(page.locator("#section-extensions").get_by_text("Gespeichert.")).to_be_visible()

    controller = page.locator("#section-controller")
    controller.get_by_label("Straße und Hausnummer").fill("Kastanienallee 12")
    controller.get_by_label("PLZ").fill("10435")
    controller.get_by_label("Kontakt-E-Mail").fill("kontakt@salon-a.de")
    controller.get_by_role("button", name="Speichern").click()
    expect(page.locator("#section-controller .saved-note")).to_have_text("✓ Gespeichert.")

    page.goto("/history/settings")
    expect(page.get_by_text("datenschutz@salon-a.de")).to_be_visible()
    expect(page.get_by_text("E-Mail-Adresse für Benachrichtigungen:").first).to_be_visible()

    page.goto(f"/b/{salon.account.slug}/{salon.location.id}/privacy")
    expect(page.get_by_role("heading", name="Datenschutzhinweise")).to_be_visible()
    expect(page.get_by_text("Dr. Dora Daten")).to_be_visible()
    expect(page.locator(".extensions strong", has_text="Ihrer Erlaubnis")).to_be_visible()
    expect(page.get_by_text("keine Rechtsberatung", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Anfrage online stellen (Auskunft, Berichtigung, Löschung …)")).to_be_visible()
    page.screenshot(path=str(TMP / "screenshots" / "privacy-notice.png"), full_page=True)
