"""What the request pages show: one request with its customer, timeline and erasure checks,
the locations to record a request for, and the retained records of erased customers."""

from __future__ import annotations

from sqlalchemy import select

from portal.customers.duplicates import find_duplicates
from portal.extensions import db
from portal.models import AuditEvent, Customer, Invoice, Location, Login, PrivacyRequest
from portal.requests.erasure import find_blockers, logins_with_email
from portal.tenancy import get_owned, scoped


def detail_page(privacy_request: PrivacyRequest) -> dict:
    account_id = privacy_request.account_id
    customer = get_owned(Customer, privacy_request.customer_id, account_id) if privacy_request.customer_id else None
    page = {
        "customer": customer,
        "timeline": db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.account_id == account_id,
                AuditEvent.entity_type == "privacy_request",
                AuditEvent.entity_id == privacy_request.id,
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        ).all(),
        "location": db.session.get(Location, privacy_request.location_id),
        "handled_by": get_owned(Login, privacy_request.handled_by_id, account_id)
        if privacy_request.handled_by_id
        else None,
        "blockers": None,
        "duplicates": [],
        "login_warning": [],
    }
    if customer is not None and privacy_request.kind == "erasure" and privacy_request.is_open:
        page.update(
            blockers=find_blockers(customer),
            duplicates=find_duplicates(customer),
            login_warning=logins_with_email(customer.account_id, customer.email),
        )
    return page


def locations(account_id: int) -> list[tuple[int, str]]:
    return [(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id))]


def retained_invoices(account_id: int, limit: int = 500) -> list[Invoice]:
    return db.session.scalars(
        scoped(Invoice, account_id)
        .where(Invoice.retained_until.is_not(None))
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    ).all()
