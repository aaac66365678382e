"""Small builders for test data, through the same services the app uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from portal.accountability import processors
from portal.appointments.service import AppointmentData, create_appointment
from portal.audit import Actor
from portal.auth.service import hash_secret
from portal.checkout.service import CheckoutInput, LineInput, cancel_invoice, checkout, mark_no_show
from portal.customers.service import create_customer
from portal.extensions import db
from portal.models import Account, Appointment, Customer, Employee, Invoice, LineKind, Location, Login, Service, base
from portal.models.base import utcnow
from portal.signed_forms.designer import add_intake_form

PASSWORD = "correct-horse-battery"
PIN = "1234"


@dataclass
class Salon:
    account: Account
    location: Location
    owner: Login
    admin: Login
    staff: Login
    accountant: Login
    employee: Employee

    def login(self, role: str) -> Login:
        return getattr(self, role)


def make_salon(name: str, slug: str) -> Salon:
    account = Account(name=name, slug=slug)
    db.session.add(account)
    db.session.flush()
    location = Location(account_id=account.id, name=f"{name} Mitte", city="Berlin")
    db.session.add(location)
    processors.add_standard(account.id)
    add_intake_form(account.id, name)
    logins = {}
    for role in ("owner", "admin", "staff", "accountant"):
        logins[role] = Login(
            account_id=account.id,
            email=f"{role}@{slug}.test",
            name=f"{role} {name}",
            role=role,
            password_hash=hash_secret(PASSWORD),
            extra_permissions=[],
            locale="en",
        )
        db.session.add(logins[role])
    employee = Employee(account_id=account.id, name=f"Employee {name}", pin_hash=hash_secret(PIN))
    db.session.add(employee)
    db.session.commit()
    return Salon(account, location, employee=employee, **logins)


def make_customer(account: Account, last_name: str = "Muster", first_name: str = "Erika", **data) -> int:
    custom = data.pop("custom", {})
    values = {"last_name": last_name, "first_name": first_name, **data}
    customer = create_customer(Actor(account.id, None), values, custom)
    db.session.commit()
    return customer.id


# --- The salon's daily work, through the portal's own operations ----------------------------

travel_to = base.clock_at  # every service in this process runs as if it were `moment`


def customer_since(account: Account, created: datetime, last_name: str, first_name: str = "Test", **data) -> int:
    with travel_to(created):
        return make_customer(account, last_name, first_name, **data)


def make_service(
    account: Account, name: str = "Damenhaarschnitt", price_cents: int = 4900, minutes: int = 45
) -> Service:
    service = Service(account_id=account.id, name=name, price_cents=price_cents, duration_minutes=minutes)
    db.session.add(service)
    db.session.commit()
    return service


def book(
    salon: Salon, customer_id: int, when: datetime, service: Service | None = None, notes: str = ""
) -> Appointment:
    """Book an appointment starting at `when` (booked on that day, as the salon would)."""
    local = when.astimezone(ZoneInfo(salon.account.timezone))
    with travel_to(when - timedelta(hours=1)):
        appointment = create_appointment(
            Actor(salon.account.id, salon.staff.id),
            db.session.get(Customer, customer_id),
            AppointmentData(
                salon.location.id, service.id if service else None, None, local.date(), local.time(), 45, notes
            ),
        )
        db.session.commit()
    return appointment


def check_out(
    salon: Salon,
    appointment: Appointment | None = None,
    when: datetime | None = None,
    customer_id: int | None = None,
    lines: list[LineInput] | None = None,
    **payment,
) -> Invoice:
    """Check out an appointment (its service at the price list) or a sale, at `when`."""
    when = when or (appointment.starts_at + timedelta(minutes=50) if appointment else utcnow())
    if lines is None:
        lines = [LineInput(LineKind.SERVICE, service_id=appointment.service_id)]
    with travel_to(when):
        invoice = checkout(
            Actor(salon.account.id, salon.staff.id),
            CheckoutInput(
                location_id=salon.location.id,
                key=secrets.token_hex(8),
                lines=lines,
                customer_id=customer_id,
                appointment_id=appointment.id if appointment else None,
                **payment,
            ),
        )
        db.session.commit()
    return invoice


def visit(salon: Salon, customer_id: int, when: datetime, service: Service) -> Invoice:
    """Booked, attended and checked out at `when`."""
    return check_out(salon, book(salon, customer_id, when, service))


def no_show(salon: Salon, customer_id: int, when: datetime, service: Service) -> Appointment:
    appointment = book(salon, customer_id, when, service)
    with travel_to(when + timedelta(hours=1)):
        mark_no_show(Actor(salon.account.id, salon.staff.id), appointment)
        db.session.commit()
    return appointment


def storno(salon: Salon, invoice: Invoice, when: datetime | None = None, reason: str = "Falsch gebucht") -> Invoice:
    with travel_to(when or invoice.issued_at + timedelta(minutes=5)):
        cancellation = cancel_invoice(Actor(salon.account.id, salon.owner.id), invoice, reason)
        db.session.commit()
    return cancellation


# --- settings, through the settings pages' own services ------------------------------------


def privacy_settings(salon: Salon, location: Location | None = None, **values) -> None:
    """Change a location's privacy settings as the owner would, section by section."""
    from portal.privacy.settings_service import LOCATION_SECTIONS, save_location_section, settings_for

    location = location or salon.location
    actor = Actor(salon.account.id, salon.owner.id)
    current = settings_for(location)
    for section, names in LOCATION_SECTIONS.items():
        if any(name in values for name in names):
            save_location_section(
                actor, location, section, {name: values.get(name, getattr(current, name)) for name in names}
            )
    db.session.commit()


def messaging_settings(salon: Salon, **values) -> None:
    from portal.messaging import service
    from portal.messaging.eligibility import messaging_settings as current

    settings = current(salon.location)
    names = ("reminder_hours", "review_is_marketing", "existing_customer_email")
    service.save_settings(
        Actor(salon.account.id, salon.owner.id), salon.location, {n: values.get(n, getattr(settings, n)) for n in names}
    )
    db.session.commit()
