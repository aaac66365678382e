"""In Chromium: create a customer answering the consent prompt, send a campaign, open the email
in the SMTP sink, click unsubscribe, and see the entry in the consent log."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import Customer, LineKind
from tests import factories
from tests.conftest import TMP, run_worker_burst
from tests.privacy.helpers import link_path


def test_consent_prompt_campaign_and_unsubscribe(page, salon, log_in, worker_env, mails):
    salon.owner.locale = "de"
    db.session.commit()
    factories.privacy_settings(salon, marketing_enabled=True)
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/customers/new")
    page.get_by_label("Vorname").fill("Mara")
    page.get_by_label("Nachname").fill("Werbefreundin")
    page.get_by_label("E-Mail").fill("mara@example.com")
    page.locator("fieldset.consent-prompt").get_by_label("ja").first.check()
    page.get_by_role("button", name="Kunde anlegen").click()
    expect(page.get_by_role("heading", name="Mara Werbefreundin")).to_be_visible()
    customer = db.session.scalars(select(Customer)).one()
    # She bought something at the till today (a booked visit would add its confirmation mail).
    factories.check_out(
        salon, customer_id=customer.id, lines=[LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1500)]
    )

    page.get_by_role("link", name="Marketing").click()
    page.get_by_role("link", name="+ Neue Kampagne").click()
    page.get_by_label("Betreff (E-Mail)").fill("Herbstangebot bei {salon}")
    page.get_by_role("button", name="Speichern und Empfänger anzeigen").click()
    expect(page.get_by_text("1 Kunde darf sie erhalten")).to_be_visible()
    # Sending asks first, with the count; cancelling sends nothing.
    page.get_by_role("button", name="An 1 Kunden senden").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Die Nachricht geht jetzt an 1 Kunden.")
    dialog.get_by_role("button", name="Abbrechen").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="An 1 Kunden senden")).to_be_visible()
    page.get_by_role("button", name="An 1 Kunden senden").click()
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text("Wird an 1 Empfänger gesendet.")).to_be_visible()
    assert run_worker_burst(worker_env, "emails").returncode == 0

    (mail,) = [m for m in mails() if m.to == "mara@example.com"]
    assert mail.subject == "Herbstangebot bei Salon A"
    page.goto(link_path(next(link for link in mail.links if "/u/" in link)))
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", name="Sie sind abgemeldet")).to_be_visible()

    page.goto(f"/customers/{customer.id}/messages")
    log = page.locator("ul.timeline")
    expect(log.get_by_text("widerrufen · Abmeldelink")).to_be_visible()
    expect(log.get_by_text("erteilt · mündlich, vom Team bestätigt")).to_be_visible()
    page.screenshot(path=str(TMP / "screenshots" / "consent-log.png"), full_page=True)
