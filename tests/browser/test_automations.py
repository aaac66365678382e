"""In Chromium, as the owner: switch on the birthday greeting and see tomorrow's recipients in
its preview; a greeting without the unsubscribe link is refused with words. German at desktop,
English at phone width."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from portal.audit import Actor
from portal.extensions import db
from portal.messaging.consent import set_consent
from portal.models import Customer
from portal.models.base import utcnow
from tests import factories
from tests.browser.conftest import snap


def test_switch_on_the_birthday_greeting_and_see_tomorrows_recipients(page, salon, log_in):
    salon.owner.locale = "de"
    db.session.commit()
    factories.privacy_settings(salon, marketing_enabled=True)
    tomorrow = salon.account.today() + timedelta(days=1)
    born = tomorrow.replace(year=tomorrow.year - 30)
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com", birthday=born)
    factories.visit(salon, customer_id, utcnow() - timedelta(days=10), factories.make_service(salon.account))
    set_consent(
        Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id), "email", "granted", "oral"
    )
    db.session.commit()

    log_in(page, salon.owner, factories.PASSWORD)
    page.get_by_role("link", name="Marketing").click()
    page.get_by_role("link", name="Automatische Nachrichten").click()
    birthday = page.locator(f"#automation-{salon.location.id}-birthday")
    expect(birthday.get_by_role("heading", level=4)).to_contain_text(": 1 Empfänger")
    expect(birthday).to_contain_text("Greta Sommer")

    # Without the unsubscribe link it cannot be saved.
    body = birthday.get_by_label("Text")
    body.fill("Alles Gute, {first_name}!")
    birthday.get_by_label("Eingeschaltet").check()
    birthday.get_by_role("button", name="Speichern").click()
    birthday = page.locator(f"#automation-{salon.location.id}-birthday")
    expect(birthday.get_by_role("alert")).to_contain_text("{unsubscribe_link}")
    birthday.get_by_label("Text").fill("Alles Gute, {first_name}! Abmelden: {unsubscribe_link}")
    birthday.get_by_label("Eingeschaltet").check()
    birthday.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status").filter(has_text="Gespeichert.")).to_be_visible()
    birthday = page.locator(f"#automation-{salon.location.id}-birthday")
    expect(birthday.get_by_role("heading", level=3)).to_contain_text("an")
    expect(birthday.get_by_label("Text")).to_have_value("Alles Gute, {first_name}! Abmelden: {unsubscribe_link}")
    snap(page, "automations-de")

    page.get_by_role("button", name="English").click()
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("heading", name="Automatic messages")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "automations-phone-en")


def test_plan_a_campaign_and_cancel_the_plan(page, salon, log_in):
    from portal.messaging import service

    salon.owner.locale = "de"
    db.session.commit()
    factories.privacy_settings(salon, marketing_enabled=True)
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    factories.visit(salon, customer_id, utcnow() - timedelta(days=10), factories.make_service(salon.account))
    set_consent(
        Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id), "email", "granted", "oral"
    )
    campaign = service.create_campaign(
        Actor(salon.account.id, salon.owner.id),
        salon.location,
        "newsletter",
        "email",
        "Neu im Dezember",
        "Hallo {first_name}! Abmelden: {unsubscribe_link}",
    )
    db.session.commit()
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto(f"/marketing/campaigns/{campaign.id}")
    when = (salon.account.today() + timedelta(days=3)).isoformat() + "T09:30"
    page.get_by_label("Oder senden am (Zeit des Salons)").fill(when)
    page.get_by_role("button", name="Planen").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Die Nachricht wird für 1 Kunden geplant")
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text("Geplant für")).to_contain_text("09:30")
    page.set_viewport_size({"width": 390, "height": 844})
    # Laid out again for the phone (the width is read once the resize has been applied).
    page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=5000)
    snap(page, "campaign-planned-phone-de")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Planung aufheben").click()
    expect(page.get_by_role("status").filter(has_text="wieder ein Entwurf")).to_be_visible()
    expect(page.get_by_role("button", name="Planen")).to_be_visible()
