"""At 390 × 844 (a phone) every main page fits the screen: a menu button instead of a stacked
navigation, tables and tab bars that scroll inside their own box, never the page sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import SignedDocument
from tests import factories
from tests.conftest import TMP
from tests.signed_forms.helpers import signed_by_service

PAGES = [
    "/overview",
    "/customers",
    "/customers/{customer}",
    "/customers/{customer}/appointments",
    "/customers/{customer}/invoices",
    "/customers/{customer}/vouchers",
    "/customers/{customer}/messages",
    "/customers/{customer}/forms",
    "/customers/{customer}/documents/{document}",
    "/customers/{customer}/privacy",
    "/customers/{customer}/history",
    "/appointments",
    "/checkout",
    "/vouchers",
    "/privacy/requests",
    "/marketing",
    "/marketing/campaigns/new",
    "/marketing/automations",
    "/marketing/consent-texts",
    "/marketing/appointment-texts/{location}",
    "/customers/import",
    "/settings/privacy/retention-plan",
    "/settings/privacy/measures",
    "/settings/privacy/processors",
    "/settings/privacy/processors/new",
    "/settings/privacy/breaches",
    "/settings/privacy/breaches/new",
    "/settings/privacy/record",
    "/settings/privacy/evidence",
    "/history/appointments",
    "/history/customers",
    "/history/settings",
    "/history/logins",
    "/settings/",
    "/settings/account",
    "/settings/locations",
    "/settings/privacy/",
    "/settings/privacy/locations/{location}",
    "/privacy/retention",
    "/settings/exports",
    "/settings/team/",
    "/settings/customer-fields",
    "/settings/forms",
    "/settings/forms/new",
    "/settings/forms/{form}",
    "/settings/bonus-programs",
    "/me",
]


@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_main_page_fits_a_phone(page, salon, log_in, locale):
    salon.owner.locale = locale
    db.session.commit()
    customer = factories.make_customer(
        salon.account, "Schneider-Wellensiek", "Annemarie", email="annemarie.schneider-wellensiek@example.com"
    )
    document = db.session.get(SignedDocument, signed_by_service(salon, customer))
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, salon.owner, factories.PASSWORD)
    menu = page.locator("[data-menu-toggle]")
    expect(menu).to_be_visible()
    expect(page.locator(".mainnav")).to_be_hidden()
    menu.click()
    expect(page.locator(".mainnav")).to_be_visible()
    wide = {}
    for path in PAGES:
        url = path.format(customer=customer, location=salon.location.id, document=document.id, form=document.form_id)
        response = page.goto(url)
        assert response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        name = url.strip("/").replace("/", "-") or "root"
        page.screenshot(path=str(TMP / "screenshots" / f"phone-{locale}-{name}.png"), full_page=True)
        if width > 390:
            wide[url] = width
    assert wide == {}
