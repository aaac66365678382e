"""What the request pages show: one request with its customer, timeline and erasure checks,
the locations to record a request for, and the retained records of erased customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.customers.duplicates import find_duplicates
from portal.extensions import db
from portal.history.queries import with_names
from portal.legal import retention_end
from portal.models import Account, AuditEvent, Customer, Invoice, Location, Login, PrivacyRequest
from portal.models.base import utcnow
from portal.requests import recipients
from portal.requests.access import PACKAGE_DAYS
from portal.requests.erasure import find_blockers, logins_with_email
from portal.tenancy import get_owned, scoped


def detail_page(privacy_request: PrivacyRequest) -> dict:
    account_id = privacy_request.account_id
    customer = get_owned(Customer, privacy_request.customer_id, account_id) if privacy_request.customer_id else None
    page = {
        "customer": customer,
        "timeline": with_names(
            account_id,
            db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.account_id == account_id,
                    AuditEvent.entity_type == "privacy_request",
                    AuditEvent.entity_id == privacy_request.id,
                )
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            ).all(),
        ),
        "location": db.session.get(Location, privacy_request.location_id),
        "handled_by": get_owned(Login, privacy_request.handled_by_id, account_id)
        if privacy_request.handled_by_id
        else None,
        "package": package_progress(privacy_request),
        "blockers": None,
        "duplicates": [],
        "login_warning": [],
        # Art. 19: the systems to tick off (also after the request closed, as its record).
        "systems": recipients.systems(privacy_request) if privacy_request.kind == "erasure" else [],
    }
    timeline = page["timeline"]
    for row in page["systems"]:
        if row.check:  # the tick's event is on the timeline: its login and employee are named there
            login = timeline.logins.get(row.check.login_id)
            row.by = timeline.employees.get(row.check.employee_id) or (login.display_name if login else "")
    if customer is not None and privacy_request.kind == "erasure" and privacy_request.is_open:
        page.update(
            blockers=find_blockers(customer),
            duplicates=find_duplicates(customer),
            login_warning=logins_with_email(customer.account_id, customer.email),
            kept=invoices_kept(customer),
        )
    return page


def erasure_target(privacy_request: PrivacyRequest) -> tuple[Customer | None, list[Customer]]:
    """The customer an erasure request would erase, and their likely duplicates."""
    if not privacy_request.customer_id:
        return None, []
    customer = get_owned(Customer, privacy_request.customer_id, privacy_request.account_id)
    return customer, find_duplicates(customer) if customer else []


def invoices_kept(customer: Customer) -> dict:
    """How many invoices the erasure keeps, and until when the last of them is kept."""
    account = db.session.get(Account, customer.account_id)
    count, last = db.session.execute(
        select(func.count(), func.max(Invoice.issued_at)).where(Invoice.customer_id == customer.id)
    ).one()
    until = retention_end(last.astimezone(ZoneInfo(account.timezone)).year) if last else None
    return {"count": count, "until": until}


def locations(account_id: int) -> list[tuple[int, str]]:
    return [(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id))]


def retained_invoices(account_id: int, limit: int = 500) -> list[Invoice]:
    return db.session.scalars(
        scoped(Invoice, account_id)
        .where(Invoice.retained_until.is_not(None))
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    ).all()


@dataclass
class PackageProgress:
    """Where a data package is: asked for, built and mailed, downloaded by the customer."""

    requested_at: datetime | None
    sent_at: datetime | None
    downloaded_at: datetime | None
    link_until: datetime | None

    @property
    def building(self) -> bool:
        return self.requested_at is not None and self.sent_at is None

    @property
    def slow(self) -> bool:  # a job lost with its worker is started again by the recovery
        return self.building and utcnow() - self.requested_at > timedelta(minutes=10)


def package_progress(privacy_request: PrivacyRequest) -> PackageProgress | None:
    if privacy_request.kind not in ("access", "portability") or privacy_request.package_requested_at is None:
        return None
    sent = privacy_request.handled_at if privacy_request.outcome == "package_sent" else None
    downloaded = db.session.scalar(
        select(AuditEvent.occurred_at).where(
            AuditEvent.account_id == privacy_request.account_id,
            AuditEvent.entity_type == "privacy_request",
            AuditEvent.entity_id == privacy_request.id,
            AuditEvent.action == "package_downloaded",
        )
    )
    until = sent + timedelta(days=PACKAGE_DAYS) if sent and not downloaded else None
    return PackageProgress(privacy_request.package_requested_at, sent, downloaded, until)
