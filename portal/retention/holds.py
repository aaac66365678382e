"""Holds: staff keep a customer from automatic forgetting until a date, for a reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Account, Customer, CustomerHold
from portal.transaction import transaction


def active_holds(customer: Customer) -> list[CustomerHold]:
    today = db.session.get(Account, customer.account_id).today()
    return db.session.scalars(
        select(CustomerHold).where(CustomerHold.customer_id == customer.id, CustomerHold.until >= today)
    ).all()


@transaction
def add_hold(actor: Actor, customer: Customer, reason: str, until: date, today: date) -> CustomerHold:
    if not reason.strip():
        raise ValueError("reason")
    if until < today:
        raise ValueError("until")
    hold = CustomerHold(
        account_id=customer.account_id,
        customer_id=customer.id,
        reason=reason.strip()[:300],
        until=until,
        created_by_id=actor.login_id,
    )
    db.session.add(hold)
    record(
        actor,
        "customer",
        "held",
        "customer",
        customer.id,
        {"hold_until": {"old": None, "new": until.isoformat()}, "reason": {"old": None, "new": reason.strip()}},
        customer_id=customer.id,
        summary=customer.full_name,
    )
    return hold
