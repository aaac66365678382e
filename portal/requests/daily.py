"""The daily privacy round: deadline reminders, and deleting what has served its time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from portal.accountability import processing, processors, records
from portal.audit import Actor, record
from portal.extensions import db
from portal.models import (
    Account,
    EmailToken,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    OutboundEmail,
    PrivacyRequest,
    StampCard,
    StampEntry,
    StoredFile,
    Voucher,
    VoucherEntry,
)
from portal.models.base import utcnow
from portal.models.requests import OPEN_STATUSES
from portal.requests.deadlines import days_left
from portal.requests.service import notify_owner

REMINDERS = (("overdue", lambda left: left < 0), ("2d", lambda left: left <= 2), ("7d", lambda left: left <= 7))
UNVERIFIED_KEEP = timedelta(days=2)
MAIL_LOG_KEEP = timedelta(days=30)


def send_reminders() -> int:
    sent = 0
    for request in db.session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequest.due_on.is_not(None))
    ):
        left = days_left(request.due_on, db.session.get(Account, request.account_id).today())
        for key, due in REMINDERS:
            if due(left) and key not in (request.reminders or []):
                notify_owner(request, "privacy_request_reminder", days_left=left)
                # Reminding of "2 days" makes the "7 days" one pointless.
                request.reminders = sorted({*(request.reminders or []), *[k for k, d in REMINDERS if d(left)]})
                sent += 1
                break
    return sent


def _detach(invoice_ids: list[int]) -> None:
    """What still points at invoices about to go: a cancellation invoice kept longer (issued in
    a later year) loses its link, voucher history keeps the amount without the invoice, and the
    stamps and payments of the invoice go with it."""
    db.session.execute(
        update(Invoice)
        .where(Invoice.cancels_invoice_id.in_(invoice_ids))
        .values(cancels_invoice_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(update(VoucherEntry).where(VoucherEntry.invoice_id.in_(invoice_ids)).values(invoice_id=None))
    db.session.execute(update(Voucher).where(Voucher.sold_invoice_id.in_(invoice_ids)).values(sold_invoice_id=None))
    db.session.execute(
        update(StampCard).where(StampCard.redeemed_invoice_id.in_(invoice_ids)).values(redeemed_invoice_id=None)
    )
    db.session.execute(delete(StampEntry).where(StampEntry.invoice_id.in_(invoice_ids)))
    db.session.execute(delete(InvoicePayment).where(InvoicePayment.invoice_id.in_(invoice_ids)))


def purge_retained_invoices() -> int:
    """Retained records whose legal period has ended, by the salon's calendar, are deleted for
    good: the period runs to the end of its last day where the salon is."""
    # No zone is more than a day ahead of UTC: the candidates, narrowed per salon below.
    candidates = db.session.execute(
        select(Invoice.id, Invoice.account_id, Invoice.retained_until).where(
            Invoice.retained_until.is_not(None), Invoice.retained_until <= utcnow().date() + timedelta(days=1)
        )
    ).all()
    salon_today = {
        account_id: db.session.get(Account, account_id).today() for account_id in {row.account_id for row in candidates}
    }
    expired = [row for row in candidates if row.retained_until < salon_today[row.account_id]]
    if not expired:
        return 0
    ids = [row.id for row in expired]
    _detach(ids)
    db.session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids)))
    db.session.execute(delete(Invoice).where(Invoice.id.in_(ids)))
    for account_id in {row.account_id for row in expired}:
        count = sum(1 for row in expired if row.account_id == account_id)
        record(
            Actor(account_id, None),
            "setting",
            "purged",
            "retained_records",
            None,
            {"invoices": {"old": count, "new": 0}},
            summary="§ 147 AO",
        )
    return len(ids)


def purge_expired() -> dict:
    now = utcnow()
    return {
        "files": db.session.execute(delete(StoredFile).where(StoredFile.expires_at < now)).rowcount,
        "unverified_requests": db.session.execute(
            delete(PrivacyRequest).where(
                PrivacyRequest.status == "unverified", PrivacyRequest.created_at < now - UNVERIFIED_KEEP
            )
        ).rowcount,
        "mail_log": db.session.execute(
            delete(OutboundEmail).where(OutboundEmail.status == "sent", OutboundEmail.sent_at < now - MAIL_LOG_KEEP)
        ).rowcount,
        "tokens": db.session.execute(delete(EmailToken).where(EmailToken.expires_at < now - MAIL_LOG_KEEP)).rowcount,
    }


def run_daily() -> dict:
    """Idempotent: a second run the same day sends no reminder twice and finds nothing to purge."""
    result = {
        "reminders": send_reminders(),
        "processor_reviews": processors.send_review_reminders(),
        "retained_invoices_purged": purge_retained_invoices(),
        **purge_expired(),
    }
    db.session.commit()
    # The record of processing: a new version where something changed that no history entry marked.
    for account_id in db.session.scalars(select(Account.id).order_by(Account.id)):
        processing.current(account_id)
    result.update(records.purge())  # the portal's own retention plan (commits batch by batch)
    return result
