from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, AuditEvent, Service


def events(category: str | None = None, **where) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if category:
        stmt = stmt.where(AuditEvent.category == category)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(stmt))


def make_service(salon, name="Haarschnitt") -> Service:
    service = Service(account_id=salon.account.id, name=name, duration_minutes=30, price_cents=3000)
    db.session.add(service)
    db.session.commit()
    return service


def appointment_form(salon, service, employee_id=0, day="2030-03-04", start="10:00", **extra) -> dict:
    return {
        "location_id": salon.location.id,
        "service_id": service.id,
        "employee_id": employee_id,
        "day": day,
        "start": start,
        "duration_minutes": 30,
        "notes": "",
        **extra,
    }


def only_appointment() -> Appointment:
    db.session.expire_all()
    return db.session.scalars(select(Appointment)).one()
