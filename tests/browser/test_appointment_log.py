"""In Chromium: a staff member moves an appointment on a shared device, confirming with the
personal PIN; the owner then finds exactly that change in the appointment log by filtering."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Appointment, Employee
from portal.models.base import utcnow
from tests import factories
from tests.conftest import TMP
from tests.history.helpers import events, make_service


def test_move_appointment_with_pin_then_find_it_in_the_log(page, salon, log_in):
    salon.account.pin_required = True
    salon.staff.locale = salon.owner.locale = "de"
    other = Employee(account_id=salon.account.id, name="Jonas Weber", pin_hash=salon.employee.pin_hash)
    db.session.add(other)
    service = make_service(salon, "Färben")
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta")
    start = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    appointment = Appointment(
        account_id=salon.account.id,
        location_id=salon.location.id,
        customer_id=customer_id,
        service_id=service.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    db.session.add(appointment)
    db.session.commit()

    log_in(page, salon.staff, factories.PASSWORD)
    page.goto(f"/customers/{customer_id}/appointments")
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Uhrzeit").fill("14:30")
    page.get_by_role("button", name="Speichern").click()
    # Without the PIN nothing is saved.
    expect(page.get_by_text("Bitte wählen Sie Ihren Namen.").first).to_be_visible()
    assert events("appointment") == []

    form = page.locator("form").filter(has=page.get_by_role("button", name="Speichern"))
    form.get_by_label("Uhrzeit").fill("14:30")
    form.get_by_label("Mitarbeiter", exact=True).last.select_option(label=salon.employee.name)
    form.get_by_label("Ihre PIN").fill(factories.PIN)
    form.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Termin gespeichert.")).to_be_visible()
    (moved,) = events("appointment")
    assert moved.action == "moved" and moved.employee_id == salon.employee.id

    page.get_by_role("button", name="Abmelden").click()
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/history/appointments")
    page.get_by_label("Mitarbeiter (PIN)").select_option(label=salon.employee.name)
    results = page.locator("#log-results")
    expect(results.get_by_text(f"Termin #{appointment.id}")).to_be_visible()
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.get_by_text(f"PIN: {salon.employee.name}")).to_be_visible()
    expect(results.locator("ins").filter(has_text="14:30").first).to_be_visible()
    page.get_by_label("Mitarbeiter (PIN)").select_option(label="Jonas Weber")
    expect(results.get_by_text("Keine Einträge für diesen Filter.")).to_be_visible()
    page.get_by_label("Mitarbeiter (PIN)").select_option(label=salon.employee.name)
    expect(results.locator("tbody tr")).to_have_count(1)
    page.screenshot(path=str(TMP / "screenshots" / "appointment-log.png"), full_page=True)
