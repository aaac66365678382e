"""In Chromium: switch automatic forgetting on, see how many the first run forgets, open the
preview and keep one customer with a hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests import factories


def test_switch_on_preview_and_hold(page, salon, log_in):
    salon.owner.locale = "de"
    for n in range(3):  # customers since 2000 days who never came
        factories.customer_since(salon.account, datetime.now(UTC) - timedelta(days=2000), f"Schläfer{n}", "Sina")
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto(f"/settings/privacy/locations/{salon.location.id}")
    section = page.locator("#section-retention")
    section.get_by_label("Inaktive Kunden automatisch vergessen nach").select_option(
        label="24 Monaten ohne Besuch oder Kauf"
    )
    section.get_by_role("button", name="Speichern").click()
    warning = page.locator("#section-retention [data-confirm-forgetting]")
    expect(warning).to_contain_text("3 Kunden endgültig anonymisiert")
    warning.get_by_role("button", name="Ja, automatisches Vergessen einschalten").click()
    expect(page.locator("#section-retention").get_by_text("wird 3 Kunden vergessen")).to_be_visible()
    page.locator("#section-retention").get_by_role("link", name="Wer genau?").click()
    expect(page.get_by_role("heading", name="Automatisches Vergessen")).to_be_visible()
    expect(page.get_by_text("3 Kunden fällig")).to_be_visible()
    row = page.locator("tr", has_text="Sina Schläfer0")
    row.get_by_text("Halten", exact=True).click()
    row.get_by_label("Grund").fill("Reklamation offen")
    row.get_by_label("Halten bis").fill("2099-12-31")
    row.get_by_role("button", name="Behalten").click()
    expect(page.get_by_text("2 Kunden fällig")).to_be_visible()
    expect(page.get_by_text("vom Team gehalten")).to_be_visible()
