"""Every change path of customers, appointments and settings writes exactly one event with the
right diff and actor, in the same transaction: a failed change writes none."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit import Actor
from portal.customers.service import update_customer
from portal.extensions import db
from portal.models import AppendOnlyViolation, AuditEvent, Customer, CustomerFieldDefinition, Employee
from portal.transaction import one_transaction
from tests import factories
from tests.history.helpers import appointment_form, events, make_service, only_appointment


def test_customer_create_and_update_each_write_one_event_with_the_diff(salon, login_as):
    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="r", label="Farbrezeptur")
    db.session.add(recipe)
    db.session.commit()
    client = login_as(salon.admin)
    client.post(
        "/customers/new",
        data={
            "last_name": "Berg",
            "first_name": "Ida",
            "phone": "0170 1111111",
            "country": "DE",
            f"cf_{recipe.id}": "6/0",
        },
    )
    customer = db.session.scalars(select(Customer)).one()
    (created,) = events("customer")
    assert (created.action, created.actor_login_id, created.customer_id) == ("created", salon.admin.id, customer.id)
    assert created.changes["phone"] == {"old": None, "new": "+491701111111"}
    assert created.changes[f"custom:{recipe.id}"] == {"old": "", "new": "6/0", "label": "Farbrezeptur"}

    client.post(
        f"/customers/{customer.id}",
        data={
            "last_name": "Berg",
            "first_name": "Ida",
            "phone": "0171 2222222",
            "country": "DE",
            f"cf_{recipe.id}": "7/1",
        },
    )
    created_again, updated = events("customer")
    assert created_again.id == created.id
    assert updated.action == "updated" and updated.actor_login_id == salon.admin.id
    assert updated.changes == {
        "phone": {"old": "+491701111111", "new": "+491712222222"},
        f"custom:{recipe.id}": {"old": "6/0", "new": "7/1", "label": "Farbrezeptur"},
    }
    assert updated.request_id and updated.ip == "127.0.0.1"

    # Saving without a change, or with invalid input, writes nothing.
    client.post(
        f"/customers/{customer.id}",
        data={
            "last_name": "Berg",
            "first_name": "Ida",
            "phone": "0171 2222222",
            "country": "DE",
            f"cf_{recipe.id}": "7/1",
        },
    )
    client.post(f"/customers/{customer.id}", data={"last_name": "", "country": "DE"})
    assert len(events("customer")) == 2


def test_failed_change_rolls_back_its_event(salon):
    customer_id = factories.make_customer(salon.account, "Alt")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    customer = db.session.get(Customer, customer_id)
    # The operation runs inside a larger one that fails after it: nothing of it stays.
    with pytest.raises(RuntimeError), one_transaction():
        update_customer(Actor(salon.account.id, salon.owner.id), customer, {"last_name": "Neu"}, {})
        db.session.flush()
        raise RuntimeError("the database went away half-way")
    assert db.session.get(Customer, customer_id).last_name == "Alt"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_appointment_book_move_edit_cancel(salon, login_as):
    service = make_service(salon)
    customer_id = factories.make_customer(salon.account, "Termin")
    client = login_as(salon.staff)
    assert (
        client.post(
            f"/customers/{customer_id}/appointments/new", data=appointment_form(salon, service, salon.employee.id)
        ).status_code
        == 302
    )
    appointment = only_appointment()
    (created,) = events("appointment")
    assert created.action == "created" and created.customer_id == customer_id and created.entity_id == appointment.id
    assert created.changes["service"]["new"] == "Haarschnitt"
    assert created.changes["starts_at"]["new"] == "2030-03-04T09:00:00+00:00"  # 10:00 in Berlin

    client.post(
        f"/appointments/{appointment.id}", data=appointment_form(salon, service, salon.employee.id, start="11:30")
    )
    client.post(
        f"/appointments/{appointment.id}",
        data=appointment_form(salon, service, salon.employee.id, start="11:30", notes="Allergie beachten"),
    )
    client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "krank"})  # not confirmed: nothing
    assert only_appointment().status == "booked"
    client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "krank", "confirm": "yes"})
    actions = [(e.action, sorted(e.changes)) for e in events("appointment")]
    assert actions == [
        ("created", ["employee", "ends_at", "location", "service", "starts_at", "status"]),
        ("moved", ["ends_at", "starts_at"]),
        ("updated", ["notes"]),
        ("cancelled", ["reason", "status"]),
    ]
    assert all(e.actor_login_id == salon.staff.id and e.employee_id is None for e in events("appointment"))
    # A cancelled appointment is not changed again, and nothing is recorded.
    client.post(f"/appointments/{appointment.id}", data=appointment_form(salon, service, start="15:00"))
    assert len(events("appointment")) == 4
    assert only_appointment().status == "cancelled"


def test_appointment_with_another_salons_reference_changes_nothing(salon, other_salon, login_as):
    service = make_service(salon)
    customer_id = factories.make_customer(salon.account, "Termin")
    response = login_as(salon.owner).post(
        f"/customers/{customer_id}/appointments/new",
        data=appointment_form(salon, service, employee_id=other_salon.employee.id),
    )
    assert response.status_code == 422
    assert events("appointment") == []


def test_settings_changes_are_recorded_readably(salon, login_as):
    owner = login_as(salon.owner)
    owner.post("/settings/account", data={"pin_required": "y"})
    owner.post("/settings/account", data={"pin_required": "y"})  # unchanged: no event
    owner.post("/settings/customer-fields", data={"label": "Hautbild", "field_type": "text"})
    definition = db.session.scalars(select(CustomerFieldDefinition)).one()
    owner.post(f"/settings/customer-fields/{definition.id}/toggle")
    owner.post("/settings/team/employees", data={"name": "Pia", "pin": "4711", "location_id": "0"})
    pia = db.session.scalars(select(Employee).where(Employee.name == "Pia")).one()
    owner.post(
        f"/settings/team/employees/{pia.id}", data={"name": "Pia", "pin": "9999", "location_id": "0", "active": "y"}
    )
    owner.post(
        f"/settings/team/logins/{salon.admin.id}", data={"role": "admin", "active": "y", "grants": ["history.view"]}
    )
    owner.post("/settings/team/logins/invite", data={"email": "neu@example.com", "role": "staff", "locale": "de"})

    got = [(e.action, e.entity_type, e.changes) for e in events("setting")]
    assert got[0] == ("updated", "account", {"pin_required": {"old": False, "new": True}})
    assert got[1][:2] == ("created", "customer_field") and got[1][2]["label"]["new"] == "Hautbild"
    assert got[2] == ("updated", "customer_field", {"active": {"old": True, "new": False}})
    assert got[3][:2] == ("created", "employee")
    assert got[4] == ("updated", "employee", {"pin": {"old": "••••", "new": "••••"}})
    assert got[5] == ("updated", "login", {"extra_permissions": {"old": [], "new": ["history.view"]}})
    assert got[6][:2] == ("created", "login") and got[6][2]["email"]["new"] == "neu@example.com"
    assert len(got) == 7
    assert all(e.actor_login_id == salon.owner.id for e in events("setting"))
    assert "4711" not in str([e.changes for e in events()]) and "9999" not in str([e.changes for e in events()])


def test_settings_history_page_names_setting_old_and_new_value(salon, login_as):
    owner = login_as(salon.owner)
    owner.post("/settings/account", data={"pin_required": "y"})
    page = owner.get("/history/settings").get_data(as_text=True)
    assert "PIN required for changes on shared devices" in page
    assert "<del>no</del> → <ins>yes</ins>" in page
    assert salon.owner.display_name in page


def test_audit_events_are_append_only(salon):
    factories.make_customer(salon.account, "X")
    event = events("customer")[0]
    event.summary = "tampered"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(events("customer")[0])
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_times_are_entered_and_shown_in_the_salons_zone(salon, login_as):
    """A salon outside Berlin books 10:00 and reads 10:00 in its day list."""
    salon.account.timezone = "America/New_York"
    db.session.commit()
    service = make_service(salon)
    customer_id = factories.make_customer(salon.account, "Zeitzone")
    client = login_as(salon.owner)
    client.post(f"/customers/{customer_id}/appointments/new", data=appointment_form(salon, service, salon.employee.id))
    assert only_appointment().starts_at.hour == 15  # 10:00 in New York (winter) is 15:00 UTC
    day_list = client.get("/appointments?day=2030-03-04").get_data(as_text=True)
    assert "10:00" in day_list and "15:00" not in day_list and "16:00" not in day_list
