"""Reading the request inbox: open requests by due date, keyset-paged, with counts per kind and
the customers' names; a search by request number, customer name or the requester's email."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.orm import load_only

from portal.extensions import db
from portal.models import Customer, PrivacyRequest
from portal.models.requests import OPEN_STATUSES
from portal.requests.labels import KIND_LABELS

PAGE_SIZE = 50
# What a row of the inbox shows: only these are loaded (the texts and the certificate's and
# reminders' JSON are for the request's own page); anything else asked of a row raises.
ROW_COLUMNS = load_only(
    PrivacyRequest.id,
    PrivacyRequest.kind,
    PrivacyRequest.channel,
    PrivacyRequest.status,
    PrivacyRequest.customer_id,
    PrivacyRequest.received_at,
    PrivacyRequest.due_on,
    raiseload=True,
)
VIEWS = {"open": OPEN_STATUSES, "done": ("done",), "rejected": ("rejected",)}


@dataclass
class InboxPage:
    requests: list[PrivacyRequest]
    next_after: int | None
    counts: dict[str, int]
    names: dict[int, str]  # customer id -> name, for the requests linked to a customer


def _names(account_id: int, requests: list[PrivacyRequest]) -> dict[int, str]:
    ids = {r.customer_id for r in requests if r.customer_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Customer.id, Customer.first_name, Customer.last_name).where(
            Customer.account_id == account_id, Customer.id.in_(ids)
        )
    )
    return {cid: f"{first} {last}".strip() for cid, first, last in rows}


# Built once: the navigation's badge is counted on every page, and building the statement cost
# more than running it (0.2 of 0.55 ms).
_OPEN_COUNT = (
    select(func.count())
    .select_from(PrivacyRequest)
    .where(PrivacyRequest.account_id == bindparam("account_id"), PrivacyRequest.status.in_(OPEN_STATUSES))
)


def open_count(account_id: int) -> int:
    """Requests waiting for the salon (the navigation's badge): one count on the inbox index."""
    # On the session's connection: the ORM's handling of a statement costs more than this count.
    return db.session.connection().execute(_OPEN_COUNT, {"account_id": account_id}).scalar()


def search(account_id: int, query: str, limit: int = PAGE_SIZE) -> InboxPage:
    """Requests of any state matching a number ("#12", "12"), a customer's name or the email the
    request came from; newest first."""
    words = query.strip().lower().lstrip("#")
    base = (
        select(PrivacyRequest)
        .options(ROW_COLUMNS)
        .where(PrivacyRequest.account_id == account_id, PrivacyRequest.status != "unverified")
    )
    if words.isdigit():
        base = base.where(PrivacyRequest.id == int(words))
    elif words:
        matching = select(Customer.id).where(Customer.account_id == account_id)
        for word in words.split():
            matching = matching.where(Customer.search_text.contains(word, autoescape=True))
        base = base.where((PrivacyRequest.customer_id.in_(matching)) | (PrivacyRequest.email == words))
    rows = list(db.session.scalars(base.order_by(PrivacyRequest.id.desc()).limit(limit)))
    return InboxPage(rows, None, {}, _names(account_id, rows))


def inbox_page(account_id: int, kind: str | None, view: str, after_id: int | None) -> InboxPage:
    statuses = VIEWS.get(view, OPEN_STATUSES)
    base = (
        select(PrivacyRequest)
        .options(ROW_COLUMNS)
        .where(PrivacyRequest.account_id == account_id, PrivacyRequest.status.in_(statuses))
    )
    if kind:
        base = base.where(PrivacyRequest.kind == kind)
    open_first = view == "open"
    # Open requests: most urgent first. Closed ones: newest first.
    order = (
        (PrivacyRequest.due_on, PrivacyRequest.id)
        if open_first
        else (PrivacyRequest.due_on.desc(), PrivacyRequest.id.desc())
    )
    if after_id:
        anchor = db.session.execute(
            select(PrivacyRequest.due_on, PrivacyRequest.id).where(
                PrivacyRequest.id == after_id, PrivacyRequest.account_id == account_id
            )
        ).one_or_none()
        if anchor is not None and anchor[0] is not None:
            key = tuple_(PrivacyRequest.due_on, PrivacyRequest.id)
            base = base.where(key > tuple_(*anchor) if open_first else key < tuple_(*anchor))
    rows = list(db.session.scalars(base.order_by(*order).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    counts = dict(
        db.session.execute(
            select(PrivacyRequest.kind, func.count())
            .where(
                PrivacyRequest.account_id == account_id,
                # Naming the kinds lets the index (salon, kind, state) be entered once per kind and
                # open state instead of read through for every request the salon ever had
                # (0.9 → 0.35 ms at 10,000 requests on SQLite).
                PrivacyRequest.kind.in_(tuple(KIND_LABELS)),
                PrivacyRequest.status.in_(OPEN_STATUSES),
            )
            .group_by(PrivacyRequest.kind)
        ).all()
    )
    return InboxPage(rows, rows[-1].id if more and rows else None, counts, _names(account_id, rows))
