"""What names an erased person outside the customer file, found by the customer's id and by
every email address they ever had (the current one and the earlier ones in the change
history): holds and their reasons, the notes of their requests, their unverified online
requests, the mails to those addresses, the SMS gateway's record of texts to their numbers, failed-login counters keyed by them, and export files
still waiting for a download. Removed in the erasure's own transaction, except the counters in
Redis (cleared at once: an extra unlock is harmless).

Every foreign key that points at a customer is handled by the erasure explicitly, not left to
ON DELETE (which SQLite ran only after migration a7e3c2d1f9b8): `HANDLED_REFERENCES` lists
them, and a test fails when a new one appears."""

from __future__ import annotations

from sqlalchemy import String, cast, delete, select, union, update

from portal.auth.service import forget_login_attempts
from portal.exports.service import withdraw_after_erasure
from portal.extensions import db
from portal.id_sets import among
from portal.imports.discard import withdraw_open_imports
from portal.messaging.sms import gateway
from portal.models import AuditEvent, BreachNotice, CustomerHold, Message, PrivacyRequest

# table.column -> what the erasure does with it (erasure.py and below).
HANDLED_REFERENCES = {
    "appointment.customer_id": "detached, notes emptied",
    "invoice.customer_id": "detached, kept as retained record",
    "voucher.customer_id": "detached",
    "stamp_card.customer_id": "deleted with its entries",
    "customer_field_value.customer_id": "deleted",
    "consent.customer_id": "deleted",
    "consent_log.customer_id": "detached, address kept as salted hash",
    "privacy_request.customer_id": "detached, free texts emptied",
    "customer_hold.customer_id": "deleted",
    "message.customer_id": "detached (campaign counts stay)",
    "import_duplicate.customer_id": "deleted (with every import not yet run: see below)",
    "import_update.customer_id": "deleted (the undo's copy of the values before an import)",
    "breach_notice.customer_id": "deleted (the breach keeps how many were told)",
    "signed_document.customer_id": "deleted with its PDF and signature (consent log keeps its hash)",
    "tablet_session.customer_id": "deleted",
}


def addresses_ever(account_id: int, current: dict[int, str | None], key: str = "email") -> dict[int, set[str]]:
    """Per customer: the current address (email, or phone with key="phone") and every one the
    change history shows — read before the history is redacted. The database takes the old and
    new value out of the JSON and drops repeats: a regular customer's hundreds of events would
    otherwise each be decoded in Python."""
    found = {cid: {value} if value else set() for cid, value in current.items()}
    changed = select(AuditEvent.customer_id).where(
        AuditEvent.account_id == account_id,
        among(AuditEvent.customer_id, list(current)),
        cast(AuditEvent.changes, String).like(f'%"{key}"%'),
    )
    values = union(
        *[changed.add_columns(AuditEvent.changes[(key, side)].as_string().label("value")) for side in ("old", "new")]
    ).subquery()
    for cid, value in db.session.execute(
        select(values.c.customer_id, values.c.value).where(values.c.value.is_not(None))
    ):
        if isinstance(value, str) and value.strip() and value != "[gelöscht]":
            found[cid].add(value.strip().lower())
    return found


def remove_traces(account_id: int, ids: list[int], addresses: set[str], phones: set[str]) -> dict[str, int]:
    """Everything above for these customers; counts for the record. (Mails are deleted by the
    caller, who counts them per person for the certificates.)"""
    quiet = {"synchronize_session": False}
    counts = {
        "holds": db.session.execute(
            delete(CustomerHold).where(among(CustomerHold.customer_id, ids)).execution_options(**quiet)
        ).rowcount,
        "breach_notices": db.session.execute(
            delete(BreachNotice).where(among(BreachNotice.customer_id, ids)).execution_options(**quiet)
        ).rowcount,
        "messages_detached": db.session.execute(
            update(Message).where(among(Message.customer_id, ids)).values(customer_id=None).execution_options(**quiet)
        ).rowcount,
        "unverified_requests": 0,
    }
    if addresses:
        counts["unverified_requests"] = db.session.execute(
            delete(PrivacyRequest)
            .where(
                PrivacyRequest.account_id == account_id,
                PrivacyRequest.status == "unverified",
                PrivacyRequest.customer_id.is_(None),
                among(PrivacyRequest.email, addresses),
            )
            .execution_options(**quiet)
        ).rowcount
        forget_login_attempts(sorted(addresses))
    counts["sms_forgotten"] = gateway().forget(phones)
    counts["exports_withdrawn"] = withdraw_after_erasure(account_id)
    counts["imports_withdrawn"] = withdraw_open_imports(account_id)
    return counts
