"""Erasure (Art. 17) that keeps what tax law requires (Art. 17(3)(b), § 147 AO, § 257 HGB).

One transaction: the customer file and every personal value go; appointments stay for the
reports, detached from the person; invoices stay as retained records until the end of their
legal period; history events stay with their values redacted. Callers commit or roll back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update

from portal.extensions import db
from portal.history.audit import Actor, record
from portal.legal import RETENTION_PERIODS
from portal.models import (
    Account,
    Appointment,
    AuditEvent,
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldValue,
    Invoice,
    Login,
    OutboundEmail,
    PrivacyRequest,
    StampCard,
    StoredFile,
    Voucher,
)
from portal.models.base import utcnow
from portal.privacy.consents import email_proof_hash

REDACTED = "[gelöscht]"
VOUCHER_YEARS = next(p.years for p in RETENTION_PERIODS if p.key == "accounting_vouchers")


class ErasureBlocked(Exception):
    def __init__(self, blockers: Blockers):
        super().__init__("erasure blocked")
        self.blockers = blockers


@dataclass
class Blockers:
    future_appointments: list[Appointment] = field(default_factory=list)
    open_vouchers: list[Voucher] = field(default_factory=list)
    open_invoices: list[Invoice] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.future_appointments or self.open_vouchers or self.open_invoices)


def find_blockers(customer: Customer, today: date | None = None) -> Blockers:
    """What must be resolved first: a booked future appointment, an unredeemed voucher,
    an open invoice."""
    now = utcnow()
    today = today or now.date()
    return Blockers(
        future_appointments=list(db.session.scalars(select(Appointment).where(
            Appointment.customer_id == customer.id, Appointment.status == "booked", Appointment.starts_at > now))),
        open_vouchers=list(db.session.scalars(select(Voucher).where(
            Voucher.customer_id == customer.id, Voucher.remaining_cents > 0,
            or_(Voucher.expires_on.is_(None), Voucher.expires_on >= today)))),
        open_invoices=list(db.session.scalars(select(Invoice).where(
            Invoice.customer_id == customer.id, Invoice.status == "open"))),
    )


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
    candidates = db.session.scalars(select(Customer).where(
        Customer.account_id == customer.account_id, Customer.id != customer.id, or_(*conditions)))
    return [c for c in candidates
            if (customer.email and c.email == customer.email) or (customer.phone and c.phone == customer.phone)
            or (c.birthday == customer.birthday and _name_key(c) == _name_key(customer))]


def merge_customers(actor: Actor, keep: Customer, other: Customer) -> dict:
    """Move everything of `other` to `keep` and delete `other`; empty fields of `keep` are
    filled from `other`. One "merged" event on `keep`."""
    if keep.account_id != other.account_id or keep.id == other.id:
        raise ValueError("can only merge two different customers of one salon")
    for model in (Appointment, Invoice, Voucher, StampCard, ConsentLog, PrivacyRequest):
        db.session.execute(update(model).where(model.customer_id == other.id).values(customer_id=keep.id))
    # The history follows the person (a re-attribution, not a change of what happened).
    db.session.execute(update(AuditEvent).where(AuditEvent.account_id == keep.account_id,
                                                AuditEvent.customer_id == other.id).values(customer_id=keep.id))
    kept_fields = {v.field_id for v in keep.field_values}
    for value in list(other.field_values):
        if value.field_id not in kept_fields and value.value:
            keep.field_values.append(CustomerFieldValue(account_id=keep.account_id, field_id=value.field_id,
                                                        value=value.value))
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
    if other.last_visit_at and (not keep.last_visit_at or other.last_visit_at > keep.last_visit_at):
        keep.last_visit_at = other.last_visit_at
    from portal.customers.service import refresh_search_keys

    refresh_search_keys(keep)
    db.session.execute(delete(CustomerFieldValue).where(CustomerFieldValue.customer_id == other.id))
    db.session.flush()
    db.session.execute(delete(Customer).where(Customer.id == other.id))
    db.session.expire(keep)
    record(actor, "customer", "merged", "customer", keep.id,
           {"merged_customer": {"old": other.id, "new": keep.id}, "filled": {"old": None, "new": filled}},
           customer_id=keep.id, summary=keep.full_name)
    return {"merged": other.id, "filled": filled}


def logins_with_email(account_id: int, email: str | None) -> list[Login]:
    if not email:
        return []
    return list(db.session.scalars(select(Login).where(Login.account_id == account_id, Login.email == email)))


def _redact_history(account_id: int, customer_id: int) -> int:
    rows = db.session.execute(select(AuditEvent.id, AuditEvent.changes).where(
        AuditEvent.account_id == account_id, AuditEvent.customer_id == customer_id)).all()
    if not rows:
        return 0
    now = utcnow()
    params = []
    for event_id, changes in rows:
        redacted = {name: ({"old": REDACTED, "new": REDACTED} if isinstance(value, dict) and "new" in value
                           else REDACTED) for name, value in (changes or {}).items()}
        params.append({"event_id": event_id, "changes": redacted, "summary": REDACTED, "redacted_at": now})
    table = AuditEvent.__table__
    db.session.execute(
        table.update().where(table.c.id == db.bindparam("event_id")).values(
            changes=db.bindparam("changes"), summary=db.bindparam("summary"),
            redacted_at=db.bindparam("redacted_at"), ip="", user_agent=""),
        params,
    )
    return len(rows)


def retained_until(issued: datetime) -> date:
    """End of the calendar year of issue plus the voucher retention period."""
    return date(issued.year + VOUCHER_YEARS, 12, 31)


def erase_customer(actor: Actor, customer: Customer, request: PrivacyRequest | None = None) -> dict:
    """Erase one customer; returns the erasure certificate. Raises ErasureBlocked first."""
    blockers = find_blockers(customer)
    if blockers:
        raise ErasureBlocked(blockers)
    account = db.session.get(Account, customer.account_id)
    cid, email = customer.id, customer.email
    now = utcnow()
    certificate = {"erased_at": now.isoformat(), "customer_reference": f"K-{cid}", "deleted": {}, "kept": [],
                   "other_systems": list(account.other_systems or [])}
    deleted = certificate["deleted"]

    invoices = list(db.session.scalars(select(Invoice).where(Invoice.customer_id == cid)))
    for invoice in invoices:
        invoice.billed_name = invoice.billed_name or customer.full_name
        invoice.retained_until = retained_until(invoice.issued_at)
        invoice.customer_id = None
    if invoices:
        certificate["kept"].append({
            "what": "invoices", "count": len(invoices),
            "fields": ["number", "date", "amounts", "line items", "name as printed on the invoice"],
            "until": max(i.retained_until for i in invoices).isoformat(),
            "why": "§ 147 Abs. 1 Nr. 4, Abs. 3 AO; § 257 Abs. 1 Nr. 4, Abs. 4 HGB (Art. 17 Abs. 3 lit. b DSGVO)",
        })
    appointments = db.session.execute(update(Appointment).where(Appointment.customer_id == cid)
                                      .values(customer_id=None, notes="")).rowcount
    if appointments:
        certificate["kept"].append({"what": "appointments", "count": appointments,
                                    "fields": ["date", "service", "employee", "status"], "why_key": "reports"})
    deleted["vouchers_detached"] = db.session.execute(
        update(Voucher).where(Voucher.customer_id == cid).values(customer_id=None)).rowcount
    deleted["stamp_cards"] = db.session.execute(delete(StampCard).where(StampCard.customer_id == cid)).rowcount
    deleted["custom_field_values"] = db.session.execute(
        delete(CustomerFieldValue).where(CustomerFieldValue.customer_id == cid)).rowcount
    deleted["consents"] = db.session.execute(delete(Consent).where(Consent.customer_id == cid)).rowcount
    proof = email_proof_hash(email)
    db.session.execute(update(ConsentLog).where(ConsentLog.customer_id == cid).values(
        customer_id=None, ip="", email_hash=func.coalesce(func.nullif(ConsentLog.email_hash, ""), proof)))
    if email:
        deleted["messages"] = db.session.execute(delete(OutboundEmail).where(
            OutboundEmail.account_id == account.id, OutboundEmail.recipient == email)).rowcount
    deleted["history_entries_redacted"] = _redact_history(account.id, cid)
    requests = list(db.session.scalars(select(PrivacyRequest).where(
        PrivacyRequest.customer_id == cid) if request is None else select(PrivacyRequest).where(
        or_(PrivacyRequest.customer_id == cid, PrivacyRequest.id == request.id))))
    package_ids = [r.package_file_id for r in requests if r.package_file_id]
    if package_ids:
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_(package_ids)))
    for privacy_request in requests:
        privacy_request.email_hash = privacy_request.email_hash or email_proof_hash(privacy_request.email)
        privacy_request.message, privacy_request.customer_id, privacy_request.package_file_id = "", None, None
        if privacy_request is not request:
            privacy_request.email = ""
    db.session.flush()
    db.session.execute(delete(Customer).where(Customer.id == cid))
    deleted["customer_file"] = 1
    record(actor, "customer", "erased", "customer", cid,
           {"deleted": {"old": None, "new": deleted}}, customer_id=None,
           summary=f"K-{cid}" + (f" (request #{request.id})" if request else ""))
    return certificate
