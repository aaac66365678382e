"""In Chromium on a tablet-sized touch screen (820 × 1180): staff hand the tablet over from the
customer file, the customer fills in the intake form, signs with a finger on the pad and sends
it; nothing else is reachable until a PIN takes the tablet back; the file then shows the PDF,
the consent log "signed form" with the form's version, and the history entry of the change."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Customer, SignedDocument
from tests import factories
from tests.browser.conftest import snap


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="de-DE", has_touch=True, viewport={"width": 820, "height": 1180}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "status of 422" not in msg.text else None,
    )
    yield page
    context.close()
    assert errors == []


def _sign(page) -> None:
    """Two strokes with a finger (pointer events, as signature_pad reads them)."""
    canvas = page.locator("[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    strokes = (
        [(0.1, 0.6), (0.2, 0.3), (0.3, 0.7), (0.4, 0.35), (0.5, 0.65)],
        [(0.55, 0.5), (0.7, 0.4), (0.85, 0.55)],
    )
    for points in strokes:
        page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
        page.mouse.up()


def _log_in(page, login) -> None:
    page.goto("/login")
    page.locator("#email").fill(login.email)
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("button.primary").click()
    page.wait_for_url("**/overview")


def test_the_customer_signs_the_intake_form_on_the_tablet(tablet, salon):
    page = tablet
    salon.staff.locale = "de"
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    _log_in(page, salon.staff)
    page.goto(f"/customers/{customer_id}/forms")
    page.get_by_label("Formular").select_option(label="Neukundenaufnahme")
    page.get_by_label("Übergeben von").select_option(label=salon.employee.name)
    page.get_by_label("Ihre PIN").fill(factories.PIN)
    page.get_by_role("button", name="Tablet übergeben").click()
    page.wait_for_url("**/tablet")

    expect(page.get_by_role("heading", name="Neukundenaufnahme")).to_be_visible()
    page.get_by_label("Telefon").fill("0170 5556677")
    page.get_by_label("Haben Sie Allergien").fill("Nickel")
    page.get_by_text("Ich willige ausdrücklich ein").click()
    page.get_by_text("per E-Mail erhalten").click()
    # Sending without a signature is refused in the page itself.
    page.get_by_role("button", name="Unterschreiben und absenden").click()
    expect(page.get_by_text("Bitte unterschreiben Sie mit dem Finger im Feld.").last).to_be_visible()
    _sign(page)
    snap(page, "tablet-intake-form-signed")
    page.get_by_role("button", name="Unterschreiben und absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank!")).to_be_visible()

    # The customer cannot reach anything else.
    page.goto(f"/customers/{customer_id}")
    page.wait_for_url("**/tablet")
    page.goto("/settings/")
    page.wait_for_url("**/tablet")
    # Leaving needs the PIN.
    page.get_by_role("button", name="Für das Team").click()
    page.get_by_role("button", name="Tablet-Modus verlassen").click()
    expect(page.get_by_text("Bitte geben Sie Ihre PIN ein.")).to_be_visible()
    page.wait_for_url("**/tablet/take-back")
    page.get_by_label("PIN").fill(factories.PIN)
    page.get_by_role("button", name="Tablet-Modus verlassen").click()
    page.wait_for_url(f"**/customers/{customer_id}/forms")

    document = db.session.scalars(select(SignedDocument)).one()
    expect(page.get_by_text(document.pdf_sha256[:16])).to_be_visible()
    assert document.signature_strokes and len(document.signature_strokes) == 2
    assert db.session.get(Customer, customer_id).phone == "+491705556677"
    # The PDF holds the allergy: staff without the right "Read health data" are told so.
    page.get_by_role("link", name="PDF").click()
    expect(page.get_by_text("zum Lesen braucht es das Recht „Gesundheitsdaten lesen“")).to_be_visible()
    expect(page.get_by_text("verborgen: Gesundheitsdaten lesen braucht das Recht")).to_have_count(2)
    snap(page, "signed-document-staff-view")
    page.goto(f"/customers/{customer_id}/messages")
    expect(page.get_by_text(f"unterschriebenes Formular · Text F{document.form_id}.1").first).to_be_visible()
    page.goto(f"/customers/{customer_id}/history")
    expect(page.get_by_text("Der Kunde hat seine Daten auf dem Tablet geändert")).to_be_visible()


def test_an_idle_tablet_forgets_the_entries(tablet, salon, app):
    page = tablet
    app.config["TABLET_IDLE_SECONDS"] = 2
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta")
    try:
        _log_in(page, salon.staff)
        page.goto(f"/customers/{customer_id}/forms")
        page.get_by_label("Handed over by").select_option(label=salon.employee.name)
        page.get_by_label("Your PIN").fill(factories.PIN)
        page.get_by_label("Language on the tablet").select_option("en")
        page.get_by_role("button", name="Hand over the tablet").click()
        page.wait_for_url("**/tablet")
        page.get_by_label("Haben Sie Allergien").fill("Latex")
        expect(page.get_by_role("heading", name="Please hand the tablet back to the team.")).to_be_visible(timeout=8000)
        expect(page.get_by_text("Latex")).to_have_count(0)
        page.go_back()
        expect(page.locator("textarea")).to_have_count(0)
        assert db.session.scalars(select(SignedDocument)).all() == []
    finally:
        app.config.pop("TABLET_IDLE_SECONDS", None)
