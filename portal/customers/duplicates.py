"""Likely the same person twice in the customer file, and merging the two into one record."""

from __future__ import annotations

import re

from sqlalchemy import delete, or_, select, update

from portal import activity
from portal.audit import Actor, record
from portal.customers.service import refresh_search_keys
from portal.extensions import db
from portal.models import (
    Appointment,
    AuditEvent,
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldValue,
    Invoice,
    PrivacyRequest,
    StampCard,
    Voucher,
)
from portal.transaction import transaction


def _name_key(customer: Customer) -> str:
    return re.sub(r"[^a-zäöüß]", "", f"{customer.first_name}{customer.last_name}".lower())


def find_duplicates(customer: Customer) -> list[Customer]:
    """Likely the same person: same email, same phone, or the same name and birthday."""
    conditions = []
    if customer.email:
        conditions.append(Customer.email == customer.email)
    if customer.phone:
        conditions.append(Customer.phone == customer.phone)
    if customer.birthday:
        conditions.append(Customer.birthday == customer.birthday)
    if not conditions:
        return []
    candidates = db.session.scalars(
        select(Customer).where(Customer.account_id == customer.account_id, Customer.id != customer.id, or_(*conditions))
    )
    return [
        c
        for c in candidates
        if (customer.email and c.email == customer.email)
        or (customer.phone and c.phone == customer.phone)
        or (c.birthday == customer.birthday and _name_key(c) == _name_key(customer))
    ]


@transaction
def merge_customers(actor: Actor, keep: Customer, other: Customer) -> dict:
    """Move everything of `other` to `keep` and delete `other`; empty fields of `keep` are
    filled from `other`. One "merged" event on `keep`."""
    if keep.account_id != other.account_id or keep.id == other.id:
        raise ValueError("can only merge two different customers of one salon")
    for model in (Appointment, Invoice, Voucher, StampCard, ConsentLog, PrivacyRequest):
        db.session.execute(update(model).where(model.customer_id == other.id).values(customer_id=keep.id))
    # The history follows the person (a re-attribution, not a change of what happened).
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.account_id == keep.account_id, AuditEvent.customer_id == other.id)
        .values(customer_id=keep.id)
    )
    kept_fields = {v.field_id for v in keep.field_values}
    for value in list(other.field_values):
        if value.field_id not in kept_fields and value.value:
            keep.field_values.append(
                CustomerFieldValue(account_id=keep.account_id, field_id=value.field_id, value=value.value)
            )
    kept_consents = {c.channel for c in db.session.scalars(select(Consent).where(Consent.customer_id == keep.id))}
    for consent in db.session.scalars(select(Consent).where(Consent.customer_id == other.id)):
        if consent.channel in kept_consents:
            db.session.delete(consent)
        else:
            consent.customer_id = keep.id
    filled = []
    for name in ("email", "phone", "birthday", "street", "postal_code", "city"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    refresh_search_keys(keep)
    db.session.execute(delete(CustomerFieldValue).where(CustomerFieldValue.customer_id == other.id))
    db.session.flush()
    db.session.execute(delete(Customer).where(Customer.id == other.id))
    activity.refresh([keep.id])  # the other's visits and invoices are the kept record's now
    db.session.expire(keep)
    record(
        actor,
        "customer",
        "merged",
        "customer",
        keep.id,
        {"merged_customer": {"old": other.id, "new": keep.id}, "filled": {"old": None, "new": filled}},
        customer_id=keep.id,
        summary=keep.full_name,
    )
    return {"merged": other.id, "filled": filled}
