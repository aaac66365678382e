"""Booking, moving, editing and cancelling appointments; each writes one appointment-log event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.audit import Actor, field_changes, record
from portal.extensions import db
from portal.messaging.transactional import confirm_appointment, notify_cancelled, notify_moved
from portal.models import Account, Appointment, AppointmentStatus, Customer, Employee, Location, Service
from portal.models.base import utcnow
from portal.tenancy import scoped
from portal.transaction import transaction


class AppointmentError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class AppointmentData:
    location_id: int
    service_id: int | None
    employee_id: int | None
    day: date
    start: time
    duration_minutes: int
    notes: str


def local_to_utc(account: Account, day: date, start: time) -> datetime:
    return datetime.combine(day, start, tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)


def _owned(model, obj_id, account_id):
    if obj_id is None:
        return None
    obj = db.session.get(model, obj_id)
    if obj is None or obj.account_id != account_id:
        raise AppointmentError("unknown-reference")
    return obj


def _snapshot(appointment: Appointment) -> dict:
    """The appointment as people read it: names, not ids; times in UTC ISO (shown local)."""
    return {
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "location": appointment.location_id and db.session.get(Location, appointment.location_id).name,
        "service": appointment.service_id and db.session.get(Service, appointment.service_id).name,
        "employee": appointment.employee_id and db.session.get(Employee, appointment.employee_id).name,
        "status": appointment.status,
        "notes": appointment.notes,
    }


def _apply(appointment: Appointment, account: Account, data: AppointmentData) -> None:
    _owned(Location, data.location_id, account.id)
    _owned(Service, data.service_id, account.id)
    _owned(Employee, data.employee_id, account.id)
    starts = local_to_utc(account, data.day, data.start)
    appointment.location_id = data.location_id
    appointment.service_id = data.service_id
    appointment.employee_id = data.employee_id
    appointment.starts_at = starts
    appointment.ends_at = starts + timedelta(minutes=data.duration_minutes)
    appointment.notes = data.notes


@transaction
def create_appointment(actor: Actor, customer: Customer, data: AppointmentData) -> Appointment:
    account = db.session.get(Account, actor.account_id)
    appointment = Appointment(account_id=account.id, customer_id=customer.id, status=AppointmentStatus.BOOKED)
    _apply(appointment, account, data)
    db.session.add(appointment)
    db.session.flush()
    after = _snapshot(appointment)
    record(
        actor,
        "appointment",
        "created",
        "appointment",
        appointment.id,
        field_changes({k: (None, v) for k, v in after.items() if v not in (None, "")}),
        customer_id=customer.id,
        summary=customer.full_name,
    )
    confirm_appointment(appointment)  # a service message, sent by a job after the commit
    return appointment


@transaction
def update_appointment(actor: Actor, appointment: Appointment, data: AppointmentData) -> dict:
    """Edit or move; the event says "moved" when the time changed, and holds only the diff.
    Only a booked appointment changes: an attended one is billed, a no-show is a fact."""
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentError(appointment.status)
    account = db.session.get(Account, actor.account_id)
    before = _snapshot(appointment)
    _apply(appointment, account, data)
    db.session.flush()
    after = _snapshot(appointment)
    changes = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
    if "starts_at" in changes:
        notify_moved(appointment)  # sent by a job after the commit, as the confirmation
    if changes:
        action = "moved" if "starts_at" in changes else "updated"
        customer = appointment.customer_id and db.session.get(Customer, appointment.customer_id)
        record(
            actor,
            "appointment",
            action,
            "appointment",
            appointment.id,
            field_changes(changes),
            customer_id=appointment.customer_id,
            summary=customer.full_name if customer else "",
        )
    return changes


@transaction
def cancel_appointment(actor: Actor, appointment: Appointment, reason: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentError(appointment.status)
    changes = {"status": (appointment.status, "cancelled")}
    if reason:
        changes["reason"] = (None, reason)
    appointment.status = "cancelled"
    notify_cancelled(appointment)
    customer = appointment.customer_id and db.session.get(Customer, appointment.customer_id)
    record(
        actor,
        "appointment",
        "cancelled",
        "appointment",
        appointment.id,
        field_changes(changes),
        customer_id=appointment.customer_id,
        summary=customer.full_name if customer else "",
    )


@transaction
def check_in(actor: Actor, appointment: Appointment) -> bool:
    """The customer has arrived (on the appointment's day): the forms due are offered next.
    False when already checked in; AppointmentError for one not booked or on another day."""
    if appointment.status != AppointmentStatus.BOOKED:
        raise AppointmentError(appointment.status)
    account = db.session.get(Account, actor.account_id)
    if account.local_date(appointment.starts_at) != account.today():
        raise AppointmentError("not-today")
    if appointment.checked_in_at is not None:
        return False
    appointment.checked_in_at = utcnow()
    customer = appointment.customer_id and db.session.get(Customer, appointment.customer_id)
    record(
        actor,
        "appointment",
        "checked_in",
        "appointment",
        appointment.id,
        {"checked_in_at": {"old": None, "new": appointment.checked_in_at.isoformat()}},
        customer_id=appointment.customer_id,
        summary=customer.full_name if customer else "",
    )
    return True


# --- what the pages read ----------------------------------------------------------------------


@dataclass
class Choices:
    locations: list[tuple[int, str]]
    services: list[tuple[int, str]]
    employees: list[tuple[int, str]]


def choices(account_id: int) -> Choices:
    """The lists of the appointment form: locations, services, active employees."""
    return Choices(
        locations=[(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id))],
        services=[(s.id, s.name) for s in db.session.scalars(scoped(Service, account_id).order_by(Service.name))],
        employees=[
            (e.id, e.name)
            for e in db.session.scalars(
                scoped(Employee, account_id).where(Employee.active.is_(True)).order_by(Employee.name)
            )
        ],
    )


def day_list(account: Account, day: date):
    """The salon's appointments of one local day, with the customer's name."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)
    return db.session.execute(
        scoped(Appointment, account.id)
        .add_columns(Customer.first_name, Customer.last_name)
        .outerjoin(Customer, Customer.id == Appointment.customer_id)
        .where(Appointment.starts_at >= start, Appointment.starts_at < start + timedelta(days=1))
        .order_by(Appointment.starts_at)
    ).all()


def customer_of(appointment: Appointment) -> Customer | None:
    return db.session.get(Customer, appointment.customer_id) if appointment.customer_id else None
