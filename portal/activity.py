"""A customer's last activity, defined once.

Last activity = the latest of: an attended appointment (checked out), an invoice that is not
cancelled, and — for imported customers — the import (visits before the import count as the
import). Automatic forgetting, marketing eligibility (§ 7(3) UWG), the campaign preview, the
customer list and file ("Zuletzt da") and the export all read it.

`activity_expression()` is the definition, as SQL. `Customer.last_activity_at` holds its value:
`refresh()` recomputes it with that expression in the same transaction as every operation that
can change it (checkout, no-show, cancellation of an invoice, merge, import), so the rules read
one indexed column instead of three correlated subqueries per customer. The tests compare the
column with the expression after each of those operations.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, Customer, Invoice, InvoiceKind
from portal.models.base import UTCDateTime


class greatest(GenericFunction):  # noqa: N801 - a SQL function's name
    """GREATEST that ignores NULLs on both databases (SQLite's max() returns NULL for any)."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    # max(coalesce(a,b,c), coalesce(b,c,a), coalesce(c,a,b)): every argument is one of the
    # non-NULL values and each non-NULL value appears, so this is their maximum (or NULL).
    args = [compiler.process(arg, **kw) for arg in element.clauses]
    rotations = [", ".join(args[i:] + args[:i]) for i in range(len(args))]
    return "max(" + ", ".join(f"coalesce({r})" for r in rotations) + ")"


def last_attended(customer_id) -> ColumnElement:
    return (
        select(func.max(Appointment.starts_at))
        .where(Appointment.customer_id == customer_id, Appointment.status == AppointmentStatus.ATTENDED)
        .scalar_subquery()
    )


def last_invoice(customer_id) -> ColumnElement:
    return (
        select(func.max(Invoice.issued_at))
        .where(Invoice.customer_id == customer_id, Invoice.kind == InvoiceKind.INVOICE, Invoice.status != "cancelled")
        .scalar_subquery()
    )


def bought_since(customer_id, since) -> ColumnElement:
    """A purchase (invoice not cancelled) since the moment: § 7(3) UWG's existing customer."""
    return exists().where(
        Invoice.customer_id == customer_id,
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status != "cancelled",
        Invoice.issued_at >= since,
    )


def activity_expression() -> ColumnElement:
    """The last activity of the `customer` row in the surrounding statement."""
    return greatest(last_attended(Customer.id), last_invoice(Customer.id), Customer.imported_at)


def refresh(customer_ids: Iterable[int | None]) -> None:
    """Recompute the stored last activity of these customers from what the portal recorded."""
    ids = sorted({cid for cid in customer_ids if cid})
    if not ids:
        return
    db.session.flush()
    db.session.execute(
        update(Customer)
        .where(Customer.id.in_(ids))
        .values(last_activity_at=activity_expression())
        .execution_options(synchronize_session=False)
    )
    for customer in db.session.identity_map.values():
        if isinstance(customer, Customer) and customer.id in ids:
            db.session.expire(customer, ["last_activity_at"])


def refresh_account(account_id: int) -> None:
    """Recompute every customer of a salon (migrations, demo data built in bulk)."""
    db.session.execute(
        update(Customer)
        .where(Customer.account_id == account_id)
        .values(last_activity_at=activity_expression())
        .execution_options(synchronize_session=False)
    )


def computed(customer_id: int):
    """The definition evaluated for one customer, ignoring the stored column (for checks)."""
    return db.session.scalar(select(activity_expression()).where(Customer.id == customer_id))
