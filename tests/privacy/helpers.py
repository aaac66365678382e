from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import Appointment, Invoice, InvoiceLine, Service, Voucher
from portal.models.base import utcnow
from tests import factories


def rich_customer(salon, last_name="Sommer", first_name="Greta", email="greta.sommer@example.com",
                  phone="+491701234567") -> int:
    """A customer with past appointments, paid invoices, a used-up voucher and a custom field."""
    customer_id = factories.make_customer(salon.account, last_name, first_name, email=email, phone=phone,
                                          notes="mag Kaffee mit Hafermilch")
    service = Service(account_id=salon.account.id, name="Färben", duration_minutes=60, price_cents=7900)
    db.session.add(service)
    db.session.flush()
    for months_ago in (2, 5):
        start = utcnow() - timedelta(days=30 * months_ago)
        db.session.add(Appointment(account_id=salon.account.id, location_id=salon.location.id,
                                   customer_id=customer_id, service_id=service.id, employee_id=salon.employee.id,
                                   starts_at=start, ends_at=start + timedelta(hours=1), status="done",
                                   notes=f"{first_name} wollte kürzer"))
        invoice = Invoice(account_id=salon.account.id, location_id=salon.location.id, customer_id=customer_id,
                          number=f"R-{customer_id}-{months_ago}", issued_at=start + timedelta(hours=1),
                          status="paid", total_cents=7900, billed_name=f"{first_name} {last_name}")
        invoice.lines.append(InvoiceLine(account_id=salon.account.id, description="Färben", quantity=1,
                                         unit_price_cents=7900))
        db.session.add(invoice)
    db.session.add(Voucher(account_id=salon.account.id, code=f"V-{customer_id}", customer_id=customer_id,
                           initial_cents=5000, remaining_cents=0))
    db.session.commit()
    return customer_id


def link_path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]
