"""Reading the request inbox: open requests by due date, keyset-paged, with counts per kind."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, tuple_

from portal.extensions import db
from portal.models import PrivacyRequest
from portal.models.requests import OPEN_STATUSES

PAGE_SIZE = 50
VIEWS = {"open": OPEN_STATUSES, "done": ("done",), "rejected": ("rejected",)}


@dataclass
class InboxPage:
    requests: list[PrivacyRequest]
    next_after: int | None
    counts: dict[str, int]


def inbox_page(account_id: int, kind: str | None, view: str, after_id: int | None) -> InboxPage:
    statuses = VIEWS.get(view, OPEN_STATUSES)
    base = select(PrivacyRequest).where(PrivacyRequest.account_id == account_id, PrivacyRequest.status.in_(statuses))
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
            .where(PrivacyRequest.account_id == account_id, PrivacyRequest.status.in_(OPEN_STATUSES))
            .group_by(PrivacyRequest.kind)
        ).all()
    )
    return InboxPage(rows, rows[-1].id if more and rows else None, counts)
