"""What each tab of the customer file shows, read for one customer of one salon."""

from __future__ import annotations

from sqlalchemy import select

from portal.bonus import service as bonus
from portal.extensions import db
from portal.history.queries import customer_history
from portal.imports.service import started_by
from portal.messaging.consent import consent_status
from portal.models import (
    Appointment,
    ConsentLog,
    Customer,
    Employee,
    Invoice,
    Location,
    Login,
    Message,
    PrivacyRequest,
    Voucher,
)
from portal.retention.holds import active_holds
from portal.signed_forms.designer import forms_of
from portal.signed_forms.documents import listing as documents_of
from portal.signed_forms.due import due_forms
from portal.tenancy import scoped

LIMIT = 200  # the newest; older ones are in the histories and the access package


def _newest(model, account_id: int, customer_id: int, order_column, limit: int | None = LIMIT):
    query = scoped(model, account_id).where(model.customer_id == customer_id).order_by(order_column.desc())
    return db.session.scalars(query.limit(limit) if limit else query).all()


def recorders(account_id: int) -> dict:
    """Who may have recorded a consent: the salon's logins and employees by id (their names)."""
    return {
        "logins": {
            lid: name or email
            for lid, name, email in db.session.execute(
                select(Login.id, Login.name, Login.email).where(Login.account_id == account_id)
            )
        },
        "employees": dict(
            db.session.execute(select(Employee.id, Employee.name).where(Employee.account_id == account_id)).all()
        ),
    }


def tab_data(customer: Customer, tab: str, *, history_before: int | None = None, include_access: bool = False) -> dict:
    """The records a tab lists (the data tab's form is the view's)."""
    account_id, cid = customer.account_id, customer.id
    if tab == "appointments":
        return {"appointments": _newest(Appointment, account_id, cid, Appointment.starts_at)}
    if tab == "invoices":
        return {"invoices": _newest(Invoice, account_id, cid, Invoice.issued_at)}
    if tab == "history":
        return {
            "history": customer_history(account_id, cid, history_before, include_access=include_access),
            "imported_by": started_by(customer),
        }
    if tab == "messages":
        return {
            "messages": _newest(Message, account_id, cid, Message.created_at),
            "consents": consent_status(cid),
            "consent_log": _newest(ConsentLog, account_id, cid, ConsentLog.occurred_at, limit=None),
            "recorders": recorders(account_id),
        }
    if tab == "privacy":
        return {
            "requests": _newest(PrivacyRequest, account_id, cid, PrivacyRequest.created_at, limit=None),
            "holds": active_holds(customer),
            "locations": db.session.scalars(scoped(Location, account_id)).all(),
        }
    if tab == "forms":
        return {
            "documents": documents_of(customer),
            "offered": forms_of(account_id, active_only=True),
            "due": due_forms(account_id, [(cid, None)]).get(None, []),
        }
    if tab == "vouchers":
        return {
            "vouchers": _newest(Voucher, account_id, cid, Voucher.issued_at, limit=None),
            "stamp_cards": bonus.cards(cid),
            "programs": bonus.programs(account_id, active_only=True),
        }
    return {}
