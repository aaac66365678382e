"""In Chromium: open a booked appointment, check it out with a service line, a product and a
voucher, see the invoice; then the forgetting preview does not list that customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import Account, LineKind, Voucher
from portal.models.base import utcnow
from portal.vouchers.service import display_code
from tests import factories
from tests.conftest import TMP


def test_check_out_a_visit_and_it_is_not_forgotten(page, salon, log_in):
    salon.staff.locale = "de"
    account = db.session.get(Account, salon.account.id)
    account.retention_months, account.retention_since = 24, datetime.now(UTC) - timedelta(days=2)
    db.session.commit()
    service = factories.make_service(salon.account, "Damenhaarschnitt", 4900)
    three_years = utcnow() - timedelta(days=3 * 365)
    regular = factories.customer_since(salon.account, three_years, "Stammkundin", "Greta")
    factories.customer_since(salon.account, three_years, "Verschollen", "Vera")  # never came: due
    friend = factories.customer_since(salon.account, three_years, "Schenkende", "Frida")
    factories.check_out(
        salon,
        customer_id=friend,
        when=utcnow() - timedelta(days=30),
        lines=[LineInput(LineKind.VOUCHER, unit_price_cents=2000)],
    )
    code = display_code(db.session.scalars(select(Voucher)).one().code)
    factories.book(salon, regular, utcnow() - timedelta(minutes=50), service)

    log_in(page, salon.staff, factories.PASSWORD)
    page.goto("/appointments")
    row = page.locator("tr", has_text="Stammkundin").first  # today, or "still to be billed" just after midnight
    row.get_by_role("link", name="Abrechnen").click()
    expect(page.get_by_role("heading", name="Termin vom")).to_be_visible()
    expect(page.locator("#lines-0-service_id")).to_have_value(str(service.id))
    page.locator("#lines-1-kind").select_option("product")
    page.locator("#lines-1-description").fill("Haaröl")
    page.locator("#lines-1-price").fill("12,90")
    page.get_by_label("Gutscheincode").fill(code)
    page.get_by_label("Karte").check()
    page.screenshot(path=str(TMP / "screenshots" / "checkout-form.png"), full_page=True)
    page.get_by_role("button", name="Abschließen und Rechnung erstellen").click()

    expect(page.get_by_role("heading", name="Rechnung R-0000002")).to_be_visible()
    invoice = page.locator("article")
    expect(invoice.get_by_text("Greta Stammkundin")).to_be_visible()
    expect(invoice.get_by_text("Haaröl")).to_be_visible()
    expect(invoice.locator("tfoot")).to_contain_text("61,90")  # 49,00 + 12,90
    expect(invoice.locator("tfoot")).to_contain_text("Gutschein")
    page.screenshot(path=str(TMP / "screenshots" / "invoice.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(TMP / "screenshots" / "invoice-390.png"), full_page=True)

    page.context.clear_cookies()
    salon.owner.locale = "de"
    db.session.commit()
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/privacy/retention")
    expect(page.get_by_text("Vera Verschollen")).to_be_visible()
    expect(page.get_by_text("Greta Stammkundin")).to_have_count(0)
    expect(page.get_by_text("Frida Schenkende")).to_have_count(0)  # she bought a voucher
    page.screenshot(path=str(TMP / "screenshots" / "retention-after-checkout-390.png"), full_page=True)
