"""Reading the request inbox: open requests by due date, keyset-paged, with counts per kind and
the customers' names; a search by request number, customer name or the requester's email."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Date, Integer, and_, bindparam, func, literal, select, tuple_, union_all

from portal.extensions import db
from portal.models import Customer, PrivacyRequest
from portal.models.requests import OPEN_STATUSES
from portal.plain_rows import plain_rows
from portal.requests.labels import KIND_LABELS
from portal.web.templating import NAV_BADGE_LIMIT as COUNT_LIMIT

PAGE_SIZE = 50
# What a row of the inbox shows, read as plain rows (the texts and the certificate's and
# reminders' JSON are for the request's own page; fifty ORM objects cost more than the read).
SHOWN = (
    PrivacyRequest.id,
    PrivacyRequest.kind,
    PrivacyRequest.channel,
    PrivacyRequest.status,
    PrivacyRequest.customer_id,
    PrivacyRequest.received_at,
    PrivacyRequest.due_on,
)
VIEWS = {"open": OPEN_STATUSES, "done": ("done",), "rejected": ("rejected",)}


@dataclass
class InboxPage:
    requests: list  # rows with the columns of SHOWN
    next_after: int | None
    counts: dict[str, int]  # open requests by kind, each counted up to COUNT_LIMIT + 1
    names: dict[int, str]  # customer id -> name, for the requests linked to a customer


_ANCHOR = select(PrivacyRequest.due_on, PrivacyRequest.id).where(
    PrivacyRequest.id == bindparam("id"), PrivacyRequest.account_id == bindparam("account_id")
)


def counted_up_to_limit(*conditions):
    """How many requests meet the conditions, counted no further than the bound `limit`: a badge
    or a tab says "99+" above it, and a count that stops there costs the same however many
    requests wait. A scalar subquery, for statements built once."""
    held = select(PrivacyRequest.id).where(*conditions).limit(bindparam("limit", type_=Integer)).subquery()
    return select(func.count()).select_from(held).scalar_subquery()


# The tabs' counts of open requests by kind: counting all 4,000 open requests of a salon cost
# PostgreSQL 1.3 ms on every inbox page. Each kind is read from the index (salon, kind, state).
_COUNTS = union_all(
    *(
        select(
            literal(kind).label("kind"),
            counted_up_to_limit(
                PrivacyRequest.account_id == bindparam("account_id"),
                PrivacyRequest.kind == kind,
                PrivacyRequest.status.in_(OPEN_STATUSES),
            ),
        )
        for kind in KIND_LABELS
    )
)


@cache
def _first_rows(statuses: tuple, open_first: bool, by_kind: bool, after: bool):
    """The page's rows: the first `limit` requests of the salon in any of `statuses`, open ones
    most urgent first, closed ones newest first; of one kind and after an anchor if asked.
    Built once per shape (building it cost more than running it); values bound per page.

    The index holds each state's requests in due order, so with several states each state's
    first ones are read from it and merged: asking for all states at once made both databases
    read and sort every open request the salon has (2.1 ms for 4,000 on PostgreSQL)."""
    where = [PrivacyRequest.account_id == bindparam("account_id")]
    if by_kind:
        where.append(PrivacyRequest.kind == bindparam("kind"))
    key = tuple_(PrivacyRequest.due_on, PrivacyRequest.id)
    if after:
        anchor = tuple_(bindparam("after_due", type_=Date), bindparam("after_id", type_=Integer))
        where.append(key > anchor if open_first else key < anchor)
    order = (PrivacyRequest.due_on, PrivacyRequest.id)
    if not open_first:
        order = tuple(column.desc() for column in order)
    limit = bindparam("limit", type_=Integer)
    if len(statuses) == 1:
        page = select(*SHOWN).where(*where, PrivacyRequest.status == statuses[0]).order_by(*order).limit(limit)
        return _with_names(page.subquery("page"), open_first)
    # The rows' columns come from the states' own reads: joined back by id, PostgreSQL's planner
    # read the whole table for a hash join.
    merged = union_all(
        *(
            select(
                select(*SHOWN).where(*where, PrivacyRequest.status == status).order_by(*order).limit(limit).subquery()
            )
            for status in statuses
        )
    ).subquery()
    merged_order = (merged.c.due_on, merged.c.id) if open_first else (merged.c.due_on.desc(), merged.c.id.desc())
    return _with_names(select(merged).order_by(*merged_order).limit(limit).subquery("page"), open_first)


def _with_names(page, open_first: bool):
    """The page's rows with their customers' names, in the same statement: the page is limited
    first, then each row looks up its customer by number (a second statement cost PostgreSQL a
    round trip)."""
    order = (page.c.due_on, page.c.id) if open_first else (page.c.due_on.desc(), page.c.id.desc())
    return (
        select(page, Customer.first_name.label("customer_first_name"), Customer.last_name.label("customer_last_name"))
        .outerjoin(Customer, and_(Customer.id == page.c.customer_id, Customer.account_id == bindparam("account_id")))
        .order_by(*order)
    )


def _names(account_id: int, requests: list) -> dict[int, str]:
    ids = {r.customer_id for r in requests if r.customer_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Customer.id, Customer.first_name, Customer.last_name).where(
            Customer.account_id == account_id, Customer.id.in_(ids)
        )
    )
    return {cid: _full_name(first, last) for cid, first, last in rows}


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


# Built once: the navigation's badge is counted on every page, and building the statement cost
# more than running it (0.2 of 0.55 ms). It counts no further than the badge shows: a count of
# thousands of open requests cost PostgreSQL 0.6–1.7 ms on every page.
_OPEN_COUNT = select(
    counted_up_to_limit(PrivacyRequest.account_id == bindparam("account_id"), PrivacyRequest.status.in_(OPEN_STATUSES))
)


def open_count(account_id: int, limit: int) -> int:
    """Requests waiting for the salon (the navigation's badge), counted up to `limit` + 1 on the
    inbox index: more than `limit` is all the badge says."""
    # On the session's connection: the ORM's handling of a statement costs more than this count.
    return db.session.connection().execute(_OPEN_COUNT, {"account_id": account_id, "limit": limit + 1}).scalar()


def search(account_id: int, query: str, limit: int = PAGE_SIZE) -> InboxPage:
    """Requests of any state matching a number ("#12", "12"), a customer's name or the email the
    request came from; newest first."""
    words = query.strip().lower().lstrip("#")
    base = select(*SHOWN).where(PrivacyRequest.account_id == account_id, PrivacyRequest.status != "unverified")
    if words.isdigit():
        base = base.where(PrivacyRequest.id == int(words))
    elif words:
        matching = select(Customer.id).where(Customer.account_id == account_id)
        for word in words.split():
            matching = matching.where(Customer.search_text.contains(word, autoescape=True))
        base = base.where((PrivacyRequest.customer_id.in_(matching)) | (PrivacyRequest.email == words))
    rows = plain_rows(db.session.execute(base.order_by(PrivacyRequest.id.desc()).limit(limit)))
    return InboxPage(rows, None, {}, _names(account_id, rows))


def inbox_page(account_id: int, kind: str | None, view: str, after_id: int | None) -> InboxPage:
    statuses = VIEWS.get(view, OPEN_STATUSES)
    values = {"account_id": account_id, "kind": kind, "limit": PAGE_SIZE + 1}
    anchor = None
    if after_id:
        anchor = db.session.execute(_ANCHOR, {"account_id": account_id, "id": after_id}).one_or_none()
    if anchor is not None and anchor[0] is not None:
        values["after_due"], values["after_id"] = anchor
    statement = _first_rows(statuses, view == "open", bool(kind), "after_id" in values)
    rows = plain_rows(db.session.execute(statement, values))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    counts = {
        kind: n for kind, n in db.session.execute(_COUNTS, {"account_id": account_id, "limit": COUNT_LIMIT + 1}) if n
    }
    names = {
        r.customer_id: _full_name(r.customer_first_name, r.customer_last_name)
        for r in rows
        if r.customer_last_name is not None
    }
    return InboxPage(rows, rows[-1].id if more and rows else None, counts, names)
