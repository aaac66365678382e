from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import LineKind, Voucher
from portal.models.base import utcnow
from tests import factories


def rich_customer(
    salon, last_name="Sommer", first_name="Greta", email="greta.sommer@example.com", phone="+491701234567"
) -> int:
    """A customer with two visits checked out, a voucher bought at the first and used up at the
    second: built through the portal's own operations."""
    customer_id = factories.make_customer(
        salon.account, last_name, first_name, email=email, phone=phone, notes="mag Kaffee mit Hafermilch"
    )
    service = factories.make_service(salon.account, "Färben", 7900, 60)
    first = factories.book(salon, customer_id, utcnow() - timedelta(days=150), service, f"{first_name} wollte kürzer")
    factories.check_out(
        salon,
        first,
        lines=[LineInput(LineKind.SERVICE, service_id=service.id), LineInput(LineKind.VOUCHER, unit_price_cents=5000)],
    )
    voucher = db.session.scalars(select(Voucher).where(Voucher.customer_id == customer_id)).one()
    second = factories.book(salon, customer_id, utcnow() - timedelta(days=60), service, f"{first_name} wollte kürzer")
    factories.check_out(salon, second, voucher_code=voucher.code)
    return customer_id


def link_path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def erasure_confirmation(request_id: int, **extra) -> dict:
    """What the confirmation dialog sends for an erasure: the customer's name, typed."""
    from portal.extensions import db
    from portal.models import Customer, PrivacyRequest

    customer_id = db.session.get(PrivacyRequest, request_id).customer_id
    customer = db.session.get(Customer, customer_id) if customer_id else None
    return {"confirm": customer.full_name if customer else "", **extra}
