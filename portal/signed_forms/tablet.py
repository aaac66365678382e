"""Tablet mode (kiosk): staff hand the salon's tablet to a customer with one form on it. The
hand-over is a row (`TabletSession`) that pins the form version shown; the browser keeps only
its id in the signed session cookie. Taking the tablet back needs an employee's PIN."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.audit import Actor, record
from portal.auth.pin import PinError, verify_pin
from portal.extensions import db
from portal.models import Appointment, Customer, Employee, FormKind, FormVersion, SalonForm, TabletSession
from portal.models.base import utcnow
from portal.signed_forms.designer import current_version
from portal.transaction import KeepChanges, transaction
from portal.validation import format_phone

# A tablet left alone this long shows the neutral screen (app.js); the server refuses a
# signature sent later than this after the last page load, as a second lock.
IDLE_SECONDS = 300
MAX_FILL_TIME = timedelta(minutes=45)


class TabletError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class TabletPinError(KeepChanges, TabletError):
    """A wrong PIN is refused, and stays in the login history."""


@transaction
def hand_over(
    actor: Actor,
    form: SalonForm,
    customer: Customer | None,
    appointment: Appointment | None,
    employee_id: int | None,
    pin: str,
    locale: str,
) -> TabletSession:
    """Start tablet mode for one form (and one customer, or a new customer for the intake form).
    The PIN names who handed the tablet over, and is the one that takes it back."""
    if not form.active:
        raise TabletError("inactive")
    if customer is None and form.kind != FormKind.INTAKE:
        raise TabletError("needs-customer")
    if appointment is not None and customer is not None and appointment.customer_id != customer.id:
        raise TabletError("wrong-appointment")
    try:
        employee = verify_pin(actor, employee_id, pin)
    except PinError as error:  # the failed try is recorded, then refused
        raise TabletPinError(error.code) from error
    version = current_version(form)
    session = TabletSession(
        account_id=actor.account_id,
        form_id=form.id,
        version_id=version.id,
        customer_id=customer.id if customer else None,
        appointment_id=appointment.id if appointment else None,
        login_id=actor.login_id,
        employee_id=employee.id,
        locale=locale if locale in ("de", "en") else "de",
        started_at=utcnow(),
        last_seen_at=utcnow(),
    )
    db.session.add(session)
    db.session.flush()
    record(
        actor.with_employee(employee.id),
        "customer",
        "tablet_handed_over",
        "form",
        form.id,
        {"form": {"old": None, "new": form.title}},
        customer_id=customer.id if customer else None,
        summary=customer.full_name if customer else form.title,
    )
    return session


def open_session(session_id: int | None, account_id: int) -> TabletSession | None:
    """The hand-over this browser is in, or None."""
    if not session_id:
        return None
    session = db.session.get(TabletSession, session_id)
    if session is None or session.account_id != account_id:
        return None
    return session


def is_fillable(session: TabletSession) -> bool:
    return session.closed_at is None and utcnow() - session.started_at <= MAX_FILL_TIME


@transaction
def seen(session: TabletSession) -> None:
    session.last_seen_at = utcnow()


@transaction
def close_idle(session: TabletSession) -> None:
    """The neutral screen after five idle minutes: the hand-over cannot be signed any more."""
    db.session.execute(
        update(TabletSession)
        .where(TabletSession.id == session.id, TabletSession.closed_at.is_(None))
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)


@transaction
def take_back(actor: Actor, session: TabletSession, employee_id: int | None, pin: str) -> Employee:
    """Leave tablet mode: any active employee's PIN (rate-limited; wrong ones recorded)."""
    try:
        employee = verify_pin(actor, employee_id, pin)
    except PinError as error:
        raise TabletPinError(error.code) from error
    if session.closed_at is None:
        session.closed_at = utcnow()
    return employee


def claim(session: TabletSession) -> bool:
    """Close the hand-over for this signature, atomically: of two taps only one gets True."""
    return (
        db.session.execute(
            update(TabletSession)
            .where(TabletSession.id == session.id, TabletSession.closed_at.is_(None))
            .values(closed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def pin_holders(account_id: int) -> list[tuple[int, str]]:
    """Employees who can hand the tablet over and take it back: active, with a PIN."""
    return [
        (e.id, e.name)
        for e in db.session.scalars(
            select(Employee)
            .where(Employee.account_id == account_id, Employee.active.is_(True), Employee.pin_hash.is_not(None))
            .order_by(Employee.name)
        )
    ]


def version_of(session: TabletSession) -> FormVersion:
    return db.session.get(FormVersion, session.version_id)


def prefilled(session: TabletSession, version: FormVersion) -> dict[str, str]:
    """The intake form shows the customer's own file to check and correct (their own data,
    on the tablet they hold); a new customer starts empty."""
    customer = db.session.get(Customer, session.customer_id) if session.customer_id else None
    if customer is None:
        return {}
    values = {}
    for field in version.content["fields"]:
        if field["type"] == "customer":
            value = getattr(customer, field["maps_to"])
            if field["maps_to"] == "phone":
                value = format_phone(value)
            values[f"field_{field['key']}"] = value.isoformat() if hasattr(value, "isoformat") else (value or "")
    return values
