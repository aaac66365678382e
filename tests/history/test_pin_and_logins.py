"""Mitarbeiter-PIN on shared devices, and the login history."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import Customer
from portal.models.base import utcnow
from tests import factories
from tests.history.helpers import appointment_form, events, make_service, only_appointment


def _require_pin(salon):
    salon.account.pin_required = True
    db.session.commit()


def test_pin_required_refuses_a_change_without_a_valid_pin(salon, login_as):
    _require_pin(salon)
    customer_id = factories.make_customer(salon.account, "Alt")
    staff = login_as(salon.staff)
    form = {"last_name": "Neu", "country": "DE"}
    page = staff.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Confirm with your employee PIN" in page

    missing = staff.post(f"/customers/{customer_id}", data=form, headers={"HX-Request": "true"})
    assert "Please choose your name." in missing.get_data(as_text=True)
    wrong = staff.post(
        f"/customers/{customer_id}",
        headers={"HX-Request": "true"},
        data={**form, "confirm-employee_id": salon.employee.id, "confirm-pin": "9999"},
    )
    assert "The PIN is wrong. Nothing was changed." in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).last_name == "Alt"
    assert events("customer", action="updated") == []
    (failed,) = events("login", action="pin_failed")
    assert failed.entity_id == salon.employee.id and failed.actor_login_id == salon.staff.id

    ok = staff.post(
        f"/customers/{customer_id}",
        headers={"HX-Request": "true"},
        data={**form, "confirm-employee_id": salon.employee.id, "confirm-pin": factories.PIN},
    )
    assert "Saved." in ok.get_data(as_text=True)
    (updated,) = events("customer", action="updated")
    assert (updated.actor_login_id, updated.employee_id) == (salon.staff.id, salon.employee.id)


def test_wrong_pins_are_rate_limited(salon, login_as):
    _require_pin(salon)
    customer_id = factories.make_customer(salon.account, "Alt")
    staff = login_as(salon.staff)
    data = {"last_name": "Neu", "country": "DE", "confirm-employee_id": salon.employee.id}
    for _ in range(5):
        staff.post(f"/customers/{customer_id}", data={**data, "confirm-pin": "0000"}, headers={"HX-Request": "true"})
    # Now even the right PIN is refused for a while.
    response = staff.post(
        f"/customers/{customer_id}", data={**data, "confirm-pin": factories.PIN}, headers={"HX-Request": "true"}
    )
    assert "Too many wrong PINs" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).last_name == "Alt"
    assert len(events("login", action="pin_failed")) == 5 and events("login", action="pin_locked")


def test_pin_of_another_salons_employee_is_refused(salon, other_salon, login_as):
    _require_pin(salon)
    service = make_service(salon)
    customer_id = factories.make_customer(salon.account, "Alt")
    staff = login_as(salon.staff)
    response = staff.post(
        f"/customers/{customer_id}/appointments/new",
        data={
            **appointment_form(salon, service),
            "confirm-employee_id": other_salon.employee.id,
            "confirm-pin": factories.PIN,
        },
    )
    assert response.status_code == 422
    assert events("appointment") == []


def test_appointment_change_with_pin_names_the_employee(salon, login_as):
    _require_pin(salon)
    service = make_service(salon)
    customer_id = factories.make_customer(salon.account, "Termin")
    staff = login_as(salon.staff)
    pin = {"confirm-employee_id": salon.employee.id, "confirm-pin": factories.PIN}
    staff.post(f"/customers/{customer_id}/appointments/new", data={**appointment_form(salon, service), **pin})
    appointment = only_appointment()
    staff.post(f"/appointments/{appointment.id}/cancel", data={"reason": "", "confirm": "yes"})  # no PIN: refused
    assert only_appointment().status == "booked"
    staff.post(f"/appointments/{appointment.id}/cancel", data={"reason": "", "confirm": "yes", **pin})
    assert only_appointment().status == "cancelled"
    assert [(e.action, e.employee_id) for e in events("appointment")] == [
        ("created", salon.employee.id),
        ("cancelled", salon.employee.id),
    ]
    # The history says it as a sentence, naming the employee the PIN identified.
    owner = login_as(salon.owner)
    page = owner.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert f"{salon.employee.name} (PIN) cancelled the appointment." in page
    owner.post("/language", data={"locale": "de", "next": "/"})
    page = owner.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert f"{salon.employee.name} (PIN) hat den Termin storniert." in page
    assert f"{salon.employee.name} (PIN) hat den Termin angelegt." in page


def test_owner_is_not_asked_for_a_pin(salon, login_as):
    _require_pin(salon)
    customer_id = factories.make_customer(salon.account, "Alt")
    owner = login_as(salon.owner)
    assert "Confirm with your employee PIN" not in owner.get(f"/customers/{customer_id}").get_data(as_text=True)
    owner.post(f"/customers/{customer_id}", data={"last_name": "Neu", "country": "DE"})
    (updated,) = events("customer", action="updated")
    assert updated.employee_id is None and updated.actor_login_id == salon.owner.id


def test_login_history_records_every_kind_of_event(app, salon, login_as):
    client = app.test_client()
    client.post(
        "/login",
        data={"email": salon.staff.email, "password": "wrong-password!"},
        headers={"User-Agent": "SalonTablet/1.0"},
    )
    login_as(salon.staff, client)
    client.post(
        "/me",
        data={
            "current_password": factories.PASSWORD,
            "password": "another-long-one",
            "password_repeat": "another-long-one",
        },
    )
    client.post("/logout")
    for _ in range(6):
        app.test_client().post("/login", data={"email": salon.staff.email, "password": "nope-nope-nope"})
    got = [e.action for e in events("login", entity_id=salon.staff.id)]
    # The successful login ended the first count; the fifth failure after it switches the login
    # protection on, and the sixth try must wait.
    assert got == ["login_failed", "login", "password_changed", "logout"] + ["login_failed"] * 5 + [
        "locked_out",
        "login_delayed",
    ]
    first = events("login", entity_id=salon.staff.id)[0]
    assert first.user_agent == "SalonTablet/1.0" and first.actor_login_id is None and first.ip == "127.0.0.1"
    # An unknown email leaves no trace in any salon's history.
    app.test_client().post("/login", data={"email": "ghost@nowhere.test", "password": "x" * 12})
    assert len(events("login")) == len(got)


def test_staff_change_log_shows_in_customer_tab_but_not_who_looked(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Sicht")
    owner = login_as(salon.owner)
    staff = login_as(salon.staff)
    staff.get(f"/customers/{customer_id}")
    staff.get(f"/customers/{customer_id}/appointments")  # the same look: no second entry
    viewed = events("access", customer_id=customer_id)
    assert [(e.action, e.actor_login_id, e.changes) for e in viewed] == [("viewed", salon.staff.id, {"tab": "data"})]
    with factories.travel_to(utcnow() + timedelta(minutes=11)):  # a new look after ten minutes
        staff.get(f"/customers/{customer_id}/messages")
    assert [e.changes["tab"] for e in events("access", customer_id=customer_id)] == ["data", "messages"]
    staff_tab = staff.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert "opened" not in staff_tab
    owner_tab = owner.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert "opened: Data" in owner_tab and salon.staff.display_name in owner_tab
