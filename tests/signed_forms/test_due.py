"""Which forms a visit needs: asked every visit again, once never again, every 3 months after
three months; offered at the check-in and listed on the day's appointments; not again after
the customer withdrew the health-data consent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit import Actor
from portal.extensions import db
from portal.models import Appointment, AuditEvent
from portal.models.base import clock_at, utcnow
from portal.signed_forms import designer
from portal.signed_forms.due import due_for_appointment
from tests import factories
from tests.signed_forms.helpers import intake_form, sign_on_tablet

PRIVACY = "Wir verarbeiten Ihre Angaben für die Behandlung."


def _treatment_form(salon, service, interval: str, title: str = "Färbung"):
    raw = {
        "title": title,
        "privacy_text": PRIVACY,
        "interval": interval,
        "fields": [{"label": "Wie soll die Farbe werden?", "type": "text"}],
    }
    form = designer.create_form(Actor(salon.account.id, salon.owner.id), raw, [service.id], False)
    return form


def _today_at(salon, hour: int) -> datetime:
    local = datetime.combine(salon.account.today(), datetime.min.time()).replace(hour=hour)
    return salon.account.utc_of_local(local)


@pytest.fixture
def at_ten_today(salon):
    """The day list shows today's appointments: run at 10:00 salon time, so one booked for 18:00
    is today's and still ahead, whenever the suite runs (near midnight too)."""
    with clock_at(_today_at(salon, 10)):
        yield


def _titles(appointment: Appointment) -> list[str]:
    return [f.title for f in due_for_appointment(db.session.get(Appointment, appointment.id))]


def test_every_visit_is_asked_again_and_once_is_not(salon, login_as):
    colour = factories.make_service(salon.account, "Färben")
    _treatment_form(salon, colour, "every_visit", "Färbung")
    _treatment_form(salon, colour, "once", "Fotoeinwilligung")
    customer_id = factories.make_customer(salon.account)
    first = factories.book(salon, customer_id, utcnow() + timedelta(hours=2), colour)
    # Before anything is signed: the intake form and both treatment forms.
    assert sorted(_titles(first)) == ["Fotoeinwilligung", "Färbung", "Neukundenaufnahme"]
    client = login_as(salon.staff)
    forms = {f.title: f for f in designer.forms_of(salon.account.id)}
    intake = {"first_name": "Erika", "last_name": "Muster"}
    sign_on_tablet(client, salon, forms["Neukundenaufnahme"].id, customer_id, intake, appointment_id=first.id)
    for title in ("Färbung", "Fotoeinwilligung"):
        sign_on_tablet(client, salon, forms[title].id, customer_id, {}, appointment_id=first.id)
    assert _titles(first) == []
    second = factories.book(salon, customer_id, utcnow() + timedelta(days=7), colour)
    assert _titles(second) == ["Färbung"]  # every visit: again; once: not
    other_service = factories.make_service(salon.account, "Schneiden")
    assert _titles(factories.book(salon, customer_id, utcnow() + timedelta(days=8), other_service)) == []


def test_a_three_month_form_comes_back_after_three_months(salon, login_as):
    brows = factories.make_service(salon.account, "Augenbrauen")
    form = _treatment_form(salon, brows, "3_months", "Augenbrauen")
    customer_id = factories.make_customer(salon.account)
    start = utcnow() - timedelta(days=120)
    with clock_at(start):
        sign_on_tablet(
            login_as(salon.staff), salon, intake_form(salon).id, customer_id, {"first_name": "E", "last_name": "M"}
        )
        sign_on_tablet(login_as(salon.staff), salon, form.id, customer_id, {})
    soon = factories.book(salon, customer_id, start + timedelta(days=60), brows)
    later = factories.book(salon, customer_id, utcnow() + timedelta(hours=3), brows)
    with clock_at(start + timedelta(days=60)):
        assert _titles(soon) == []
    assert _titles(later) == ["Augenbrauen"]


def test_the_check_in_offers_the_forms_due_and_the_day_list_shows_them(salon, login_as, at_ten_today):
    colour = factories.make_service(salon.account, "Färben")
    _treatment_form(salon, colour, "every_visit", "Färbung")
    customer_id = factories.make_customer(salon.account, "Muster", "Erika")
    appointment = factories.book(salon, customer_id, _today_at(salon, 18), colour)
    client = login_as(salon.staff)
    day = client.get("/appointments").get_data(as_text=True)
    assert "2 forms due" in day and f"/appointments/{appointment.id}/check-in" in day
    checked = client.post(f"/appointments/{appointment.id}/check-in")
    assert checked.status_code == 302 and checked.headers["Location"].endswith(f"/appointments/{appointment.id}/forms")
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).checked_in_at is not None
    offer = client.get(f"/appointments/{appointment.id}/forms").get_data(as_text=True)
    assert "2 forms are due" in offer and "Färbung" in offer and "Hand over the tablet" in offer
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "appointment", AuditEvent.entity_id == appointment.id)
    ).all() == [
        "created",
        "checked_in",
    ]
    tomorrow = factories.book(salon, customer_id, utcnow() + timedelta(days=1, hours=1), colour)
    refused = client.post(f"/appointments/{tomorrow.id}/check-in", follow_redirects=True)
    assert "Only an appointment of today" in refused.get_data(as_text=True)
    assert db.session.get(Appointment, tomorrow.id).checked_in_at is None


def test_after_the_health_consent_is_withdrawn_the_form_is_not_offered(salon, login_as):
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    answers = {"first_name": "Erika", "last_name": "Muster", "allergies": "Nickel"}
    sign_on_tablet(client, salon, intake_form(salon).id, customer_id, answers, consents=("health",))
    # Re-signing the intake form is never "due" once signed; a form offered by interval is:
    form = _treatment_form(salon, factories.make_service(salon.account, "Peeling"), "every_visit", "Peeling")
    content = designer.current_version(form).content
    raw = {
        **content,
        "fields": [{"label": "Hautkrankheiten?", "type": "text", "health": True}],
        "consents": {"health": "Ja, ich willige ausdrücklich ein."},
    }
    designer.save_form(Actor(salon.account.id, salon.owner.id), form, raw, [form.services[0].id], False)
    sign_on_tablet(client, salon, form.id, customer_id, {}, consents=("health",))
    visit = factories.book(salon, customer_id, utcnow() + timedelta(days=2), form.services[0])
    assert _titles(visit) == ["Peeling"]
    owner = login_as(salon.owner)
    withdrawn = owner.post(f"/customers/{customer_id}/health/withdraw", data={"confirm": "y"})
    assert withdrawn.status_code == 302
    assert _titles(visit) == []


def test_on_a_shared_device_the_check_in_names_the_employee_by_pin(salon, login_as, at_ten_today):
    login_as(salon.owner).post("/settings/account", data={"pin_required": "y"})
    customer_id = factories.make_customer(salon.account)
    appointment = factories.book(salon, customer_id, _today_at(salon, 18))
    staff = login_as(salon.staff)
    day = staff.get("/appointments").get_data(as_text=True)
    assert f'href="/appointments/{appointment.id}/forms">Check in</a>' in day  # the PIN is asked there
    assert "Your PIN" in staff.get(f"/appointments/{appointment.id}/forms").get_data(as_text=True)
    refused = staff.post(f"/appointments/{appointment.id}/check-in", follow_redirects=True)
    assert refused.status_code == 200 and "Please enter your PIN." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).checked_in_at is None
    staff.post(
        f"/appointments/{appointment.id}/check-in",
        data={"confirm-employee_id": salon.employee.id, "confirm-pin": factories.PIN},
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "checked_in")).one()
    assert event.employee_id == salon.employee.id
