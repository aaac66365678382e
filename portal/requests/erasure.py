"""Erasure (Art. 17) that keeps what tax law requires (Art. 17(3)(b), § 147 AO, § 257 HGB).

One transaction: the customer file and every personal value go; appointments stay for the
reports, detached from the person; invoices stay as retained records until the end of their
legal period; history events stay with their values redacted. Callers commit or roll back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, delete, func, or_, select, text, update

from portal.accountability.processors import erasure_snapshot
from portal.audit import Actor, event_values, record_many
from portal.extensions import db
from portal.id_sets import among
from portal.legal import retention_end
from portal.messaging.consent import email_proof_hash
from portal.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AuditEvent,
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldValue,
    Invoice,
    Login,
    OutboundEmail,
    PrivacyRequest,
    SignedDocument,
    StampCard,
    StampEntry,
    StoredFile,
    TabletSession,
    Voucher,
)
from portal.models.base import utcnow
from portal.requests.erasure_traces import addresses_ever, remove_traces

REDACTED = "[gelöscht]"


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


def find_blockers(customer: Customer) -> Blockers:
    """What must be resolved first: a booked future appointment, an unredeemed voucher still
    valid on the salon's date, an open invoice."""
    now = utcnow()
    today = db.session.get(Account, customer.account_id).today()
    return Blockers(
        future_appointments=list(
            db.session.scalars(
                select(Appointment).where(
                    Appointment.customer_id == customer.id,
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.starts_at > now,
                )
            )
        ),
        open_vouchers=list(
            db.session.scalars(
                select(Voucher).where(
                    Voucher.customer_id == customer.id,
                    Voucher.remaining_cents > 0,
                    or_(Voucher.expires_on.is_(None), Voucher.expires_on >= today),
                )
            )
        ),
        open_invoices=list(
            db.session.scalars(select(Invoice).where(Invoice.customer_id == customer.id, Invoice.status == "open"))
        ),
    )


def logins_with_email(account_id: int, email: str | None) -> list[Login]:
    if not email:
        return []
    return list(db.session.scalars(select(Login).where(Login.account_id == account_id, Login.email == email)))


PLACEHOLDER_CHANGE = '{"old": "[gelöscht]", "new": "[gelöscht]"}'


def redact_history(account_id: int, ids: list[int]) -> dict[int, int]:
    """Keep the events, replace every value in them by the placeholder (set-based: the JSON is
    rewritten by the database). Returns redacted counts per customer."""
    counts = dict(
        db.session.execute(
            select(AuditEvent.customer_id, func.count())
            .where(AuditEvent.account_id == account_id, among(AuditEvent.customer_id, ids))
            .group_by(AuditEvent.customer_id)
        ).all()
    )
    if not counts:
        return {}
    if db.engine.dialect.name == "postgresql":
        rewritten = (
            "(SELECT coalesce(json_object_agg(key, CASE WHEN json_typeof(value) = 'object' "
            "THEN CAST(:placeholder AS json) ELSE to_json(CAST(:redacted AS text)) END), '{}'::json) "
            "FROM json_each(audit_event.changes))"
        )
    else:
        rewritten = (
            "(SELECT coalesce(json_group_object(key, CASE WHEN type = 'object' THEN json(:placeholder) "
            "ELSE :redacted END), '{}') FROM json_each(audit_event.changes))"
        )
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.account_id == account_id, among(AuditEvent.customer_id, ids))
        .values(changes=text(rewritten), summary=REDACTED, redacted_at=utcnow(), ip="", user_agent="")
        .execution_options(synchronize_session=False),
        {"placeholder": PLACEHOLDER_CHANGE, "redacted": REDACTED},
    )
    return counts


def _retained_until_sql(account: Account, ids: list[int]):
    """31 December of the eighth year after the invoice's year in the salon's calendar (an
    invoice of 00:30 on 1 January in Berlin belongs to the new year), as one CASE over the
    local new-year moments of the years the invoices span — the same on both databases."""
    first, last = db.session.execute(
        select(func.min(Invoice.issued_at), func.max(Invoice.issued_at)).where(among(Invoice.customer_id, ids))
    ).one()
    if first is None:
        return None
    zone = ZoneInfo(account.timezone)
    years = range(first.astimezone(zone).year, last.astimezone(zone).year + 1)
    return case(
        *[
            (Invoice.issued_at >= datetime(year, 1, 1, tzinfo=zone).astimezone(UTC), retention_end(year))
            for year in reversed(years)
        ],
        else_=retention_end(years[0]),
    )


def _grouped(model, ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(model.customer_id, func.count()).where(among(model.customer_id, ids)).group_by(model.customer_id)
        ).all()
    )


def erase_customers(
    actor: Actor, account_id: int, ids: list[int], requests: dict[int, PrivacyRequest] | None = None
) -> dict[int, dict]:
    """Erase many customers of one salon with set-based statements (a retention batch, or the
    one customer of an erasure request). Callers make sure none is blocked; the caller's
    transaction makes it all-or-nothing. Returns a certificate per customer."""
    if not ids:
        return {}
    requests = requests or {}
    account = db.session.get(Account, account_id)
    now = utcnow()
    people = {
        row.id: row
        for row in db.session.execute(
            select(Customer.id, Customer.email, Customer.phone).where(
                Customer.account_id == account_id, among(Customer.id, ids)
            )
        )
    }
    ids = list(people)
    counts = {
        "vouchers_detached": _grouped(Voucher, ids),
        "stamp_cards": _grouped(StampCard, ids),
        "custom_field_values": _grouped(CustomerFieldValue, ids),
        "consents": _grouped(Consent, ids),
        "signed_documents": _grouped(SignedDocument, ids),
    }
    appointments = _grouped(Appointment, ids)

    # Invoices become retained records: the printed name stays, the link to the person goes.
    db.session.execute(
        update(Invoice)
        .where(among(Invoice.customer_id, ids), Invoice.billed_name == "")
        .values(
            billed_name=select(func.trim(Customer.first_name + " " + Customer.last_name))
            .where(Customer.id == Invoice.customer_id)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    retained_until = _retained_until_sql(account, ids)
    if retained_until is not None:
        db.session.execute(
            update(Invoice)
            .where(among(Invoice.customer_id, ids))
            .values(retained_until=retained_until)
            .execution_options(synchronize_session=False)
        )
    invoices = {
        row[0]: (row[1], row[2])
        for row in db.session.execute(
            select(Invoice.customer_id, func.count(), func.max(Invoice.retained_until))
            .where(among(Invoice.customer_id, ids))
            .group_by(Invoice.customer_id)
        )
    }
    db.session.execute(
        update(Invoice)
        .where(among(Invoice.customer_id, ids))
        .values(customer_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Appointment)
        .where(among(Appointment.customer_id, ids))
        .values(customer_id=None, notes="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Voucher)
        .where(among(Voucher.customer_id, ids))
        .values(customer_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(StampEntry)
        .where(StampEntry.card_id.in_(select(StampCard.id).where(among(StampCard.customer_id, ids))))
        .execution_options(synchronize_session=False)
    )
    # Signed forms go whole: answers, signature, PDF (Art. 17; the consent log keeps its hash).
    db.session.execute(
        update(ConsentLog)
        .where(ConsentLog.document_id.in_(select(SignedDocument.id).where(among(SignedDocument.customer_id, ids))))
        .values(document_id=None)
        .execution_options(synchronize_session=False)
    )
    for model in (TabletSession, SignedDocument, StampCard, CustomerFieldValue, Consent):
        db.session.execute(
            delete(model).where(among(model.customer_id, ids)).execution_options(synchronize_session=False)
        )
    # Consent proof survives as a salted hash of the address only.
    logged = set(
        db.session.scalars(select(ConsentLog.customer_id).where(among(ConsentLog.customer_id, ids)).distinct())
    )
    if logged:
        table = ConsentLog.__table__
        db.session.execute(
            table.update()
            .where(table.c.customer_id == bindparam("cid"))
            .values(
                customer_id=None,
                ip="",
                email_hash=func.coalesce(func.nullif(table.c.email_hash, ""), bindparam("proof")),
            ),
            [{"cid": cid, "proof": email_proof_hash(people[cid].email)} for cid in logged],
        )
    addresses = addresses_ever(account_id, {cid: person.email for cid, person in people.items()})
    every_address = set().union(*addresses.values())
    mails = {}
    if every_address:
        mails = dict(
            db.session.execute(
                select(OutboundEmail.recipient, func.count())
                .where(OutboundEmail.account_id == account_id, among(OutboundEmail.recipient, every_address))
                .group_by(OutboundEmail.recipient)
            ).all()
        )
        db.session.execute(
            delete(OutboundEmail).where(
                OutboundEmail.account_id == account_id, among(OutboundEmail.recipient, every_address)
            )
        )
    phones = addresses_ever(account_id, {cid: person.phone for cid, person in people.items()}, key="phone")
    remove_traces(account_id, ids, every_address, set().union(*phones.values()))
    redacted = redact_history(account_id, ids)
    own_requests = list(
        db.session.scalars(
            select(PrivacyRequest).where(
                or_(
                    among(PrivacyRequest.customer_id, ids),
                    PrivacyRequest.id.in_([r.id for r in requests.values() if r]),
                )
            )
        )
    )
    packages = [r.package_file_id for r in own_requests if r.package_file_id]
    if packages:
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_(packages)))
    kept_open = {r.id for r in requests.values() if r}
    for privacy_request in own_requests:
        privacy_request.email_hash = privacy_request.email_hash or email_proof_hash(privacy_request.email)
        privacy_request.message, privacy_request.customer_id, privacy_request.package_file_id = "", None, None
        # Staff write who called and why ("Anruf von Frau …"): the free texts go with the person.
        privacy_request.staff_note = privacy_request.extension_reason = privacy_request.rejection_reason = ""
        if privacy_request.id not in kept_open:  # the request being answered still needs its address
            privacy_request.email = ""
    db.session.flush()
    db.session.execute(delete(Customer).where(among(Customer.id, ids)).execution_options(synchronize_session=False))

    certificates, events = {}, []
    other_systems = erasure_snapshot(account_id)  # Art. 19: where the team removes them by hand
    for cid in ids:
        deleted = {key: values.get(cid, 0) for key, values in counts.items()}
        deleted["messages"] = sum(mails.get(address, 0) for address in addresses[cid])
        deleted["history_entries_redacted"] = redacted.get(cid, 0)
        deleted["customer_file"] = 1
        kept = []
        if cid in invoices:
            count, until = invoices[cid]
            kept.append(
                {
                    "what": "invoices",
                    "count": count,
                    "fields": ["number", "date", "amounts", "line items", "name and address as printed on the invoice"],
                    "until": until.isoformat() if isinstance(until, date) else str(until),
                    "why": "§ 147 Abs. 1 Nr. 4, Abs. 3 AO; § 257 Abs. 1 Nr. 4, Abs. 4 HGB (Art. 17 Abs. 3 lit. b DSGVO)",
                }
            )
        if appointments.get(cid):
            kept.append(
                {
                    "what": "appointments",
                    "count": appointments[cid],
                    "fields": ["date", "service", "employee", "status"],
                    "why_key": "reports",
                }
            )
        certificates[cid] = {
            "erased_at": now.isoformat(),
            "customer_reference": f"K-{cid}",
            "deleted": deleted,
            "kept": kept,
            "other_systems": other_systems,
        }
        request = requests.get(cid)
        events.append(
            {
                **event_values(
                    actor,
                    "customer",
                    "erased",
                    "customer",
                    cid,
                    {"deleted": {"old": None, "new": deleted}},
                    summary=f"K-{cid}" + (f" (request #{request.id})" if request else ""),
                ),
                "occurred_at": now,
            }
        )
    record_many(events)
    return certificates


def erase_customer(actor: Actor, customer: Customer, request: PrivacyRequest | None = None) -> dict:
    """Erase one customer; returns the erasure certificate. Raises ErasureBlocked first."""
    blockers = find_blockers(customer)
    if blockers:
        raise ErasureBlocked(blockers)
    cid = customer.id
    certificate = erase_customers(actor, customer.account_id, [cid], {cid: request} if request else None)[cid]
    db.session.expire_all()
    return certificate
