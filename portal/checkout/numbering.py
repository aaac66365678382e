"""Gapless invoice numbers per salon (GoBD, § 14 Abs. 4 Nr. 4 UStG: unique and sequential).

The number is taken by one statement in the checkout's own transaction. On PostgreSQL the
counter row stays locked until that transaction ends, so a second checkout waits and takes the
next number; a rollback gives the number back. SQLite locks the whole database for writing: the
transaction starts with BEGIN IMMEDIATE, so two checkouts queue for the write lock instead of one
failing with "database is locked" while it tries to turn its read into a write."""

from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db
from portal.transaction import lock_for_writing

NUMBER_FORMAT = "R-{:07d}"


def next_invoice_number(account_id: int) -> str:
    lock_for_writing()
    number = db.session.execute(
        text(
            "INSERT INTO invoice_counter (account_id, last_number) VALUES (:account, 1) "
            "ON CONFLICT (account_id) DO UPDATE SET last_number = invoice_counter.last_number + 1 "
            "RETURNING last_number"
        ),
        {"account": account_id},
    ).scalar_one()
    return NUMBER_FORMAT.format(number)
