"""The navigation's open-request badge and the inbox's tabs above their limit, as a person sees
them: "2+" (99+ in the portal, 2 here) with a sentence as its title, in German and English, on a
desk and on a phone; the inbox lists every open request with its deadline; the overview's
cockpit counts the waiting requests as far."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.audit import Actor
from portal.extensions import db
from portal.models import Customer
from portal.models.base import utcnow
from portal.requests import inbox
from portal.requests.service import record_staff_request
from portal.web import templating
from tests import factories
from tests.browser.conftest import snap

TITLES = {"de": "Mehr als 2 offen", "en": "More than 2 open"}
DUE = {"de": "noch ", "en": "days left"}
OVERDUE = {"de": "mehr als 2 überfällig", "en": "more than 2 overdue"}


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_badge_says_more_than_its_limit_in_words(page, salon, log_in, monkeypatch, locale):
    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 2)
    salon.owner.locale = locale
    actor = Actor(salon.account.id, salon.owner.id)
    customer = db.session.get(Customer, factories.make_customer(salon.account, "Sommer", "Greta"))
    for kind in ("access", "access", "access", "correction"):
        record_staff_request(actor, customer, kind, "phone", "", salon.location.id)
    db.session.commit()

    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/privacy/requests")
    badge = page.locator(".mainnav a[href='/privacy/requests'] .count")
    expect(badge).to_have_text("2+")
    expect(badge).to_have_attribute("title", TITLES[locale])
    expect(page.locator("table.requests tbody tr")).to_have_count(4)
    tabs = page.locator("nav.tabs a")
    expect(tabs.nth(0).locator(".count")).to_have_text("2+")
    expect(tabs.nth(0).locator(".count")).to_have_attribute("title", TITLES[locale])
    expect(page.locator("nav.tabs a[href$='kind=access'] .count")).to_have_text("2+")
    expect(page.locator("nav.tabs a[href$='kind=correction'] .count")).to_have_text("1")
    expect(page.locator("table.requests .due").first).to_contain_text(DUE[locale])
    snap(page, f"inbox-badge-{locale}")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("[data-menu-toggle]").click()
    expect(badge).to_have_text("2+")
    snap(page, f"inbox-badge-phone-{locale}")


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_overview_counts_waiting_requests_as_far_as_it_shows(page, salon, log_in, monkeypatch, locale):
    """The cockpit's open requests by kind: "2+" with the sentence as title and "more than 2
    overdue" above the limit, the exact numbers below it; on a desk and on a phone."""
    monkeypatch.setattr(templating, "NAV_BADGE_LIMIT", 2)
    salon.owner.locale = locale
    actor = Actor(salon.account.id, salon.owner.id)
    customer = db.session.get(Customer, factories.make_customer(salon.account, "Sommer", "Greta"))
    with factories.travel_to(utcnow() - timedelta(days=70)):  # overdue now
        for _ in range(3):
            record_staff_request(actor, customer, "access", "phone", "", salon.location.id)
    record_staff_request(actor, customer, "correction", "phone", "", salon.location.id)
    db.session.commit()

    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/overview")
    access = page.locator(".cockpit tr.overdue")
    expect(access.locator("td.num span")).to_have_text("2+")
    expect(access.locator("td.num span")).to_have_attribute("title", TITLES[locale])
    expect(access.locator(".badge-overdue")).to_have_text(OVERDUE[locale])
    expect(page.locator(".cockpit tbody tr").nth(1).locator("td.num")).to_have_text("1")
    snap(page, f"cockpit-limit-{locale}")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(access.locator(".badge-overdue")).to_be_visible()
    access.scroll_into_view_if_needed()
    snap(page, f"cockpit-limit-phone-{locale}")
