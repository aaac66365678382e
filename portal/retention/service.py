"""Automatic forgetting (Kundendatenspeicherfrist): customers without a visit or purchase for
the salon's period are erased — by the same erasure as an erasure request — in nightly runs:
the first in the night after the setting was switched on, then monthly.

A run is one row per salon and due date (unique), so two schedulers never run it twice; it
works in batches, each batch its own transaction, so a crash leaves nothing half-forgotten and
the next start continues where it stopped.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit import Actor, record
from portal.extensions import db
from portal.mail import external_url, mail_owners
from portal.models import (
    Account,
    Appointment,
    AppointmentStatus,
    Customer,
    CustomerHold,
    Invoice,
    PrivacyRequest,
    RetentionRun,
    Voucher,
)
from portal.models.base import utcnow
from portal.models.requests import OPEN_STATUSES
from portal.requests.deadlines import add_months
from portal.requests.erasure import erase_customers
from portal.tenancy import scoped

BATCH = 2000
STALE_AFTER = timedelta(minutes=10)


def cutoff(account: Account, today: date, months: int | None = None) -> datetime:
    """Activity before this moment (local midnight, N months back) makes a customer due; a
    visit exactly N months ago does not."""
    day = add_months(today, -(months or account.retention_months))
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)


def _inactive(account: Account, since: datetime):
    """No activity (portal/activity.py: visit, purchase, import) since `since`, and created
    before it: a customer added yesterday who has not come yet is not forgotten."""
    return [
        Customer.account_id == account.id,
        or_(Customer.last_activity_at.is_(None), Customer.last_activity_at < since),
        Customer.created_at < since,
    ]


def _holds(today: date):
    """Why a customer is kept anyway: (label, condition that holds them)."""
    now = utcnow()
    return [
        ("hold", exists().where(CustomerHold.customer_id == Customer.id, CustomerHold.until >= today)),
        (
            "request",
            exists().where(PrivacyRequest.customer_id == Customer.id, PrivacyRequest.status.in_(OPEN_STATUSES)),
        ),
        (
            "appointment",
            exists().where(
                Appointment.customer_id == Customer.id,
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.starts_at > now,
            ),
        ),
        (
            "voucher",
            exists().where(
                Voucher.customer_id == Customer.id,
                Voucher.remaining_cents > 0,
                or_(Voucher.expires_on.is_(None), Voucher.expires_on >= today),
            ),
        ),
        ("invoice", exists().where(Invoice.customer_id == Customer.id, Invoice.status == "open")),
        ("restricted", Customer.restricted_at.is_not(None)),
    ]


def due_query(account: Account, today: date, months: int | None = None):
    holds = [condition for _label, condition in _holds(today)]
    return select(Customer.id).where(*_inactive(account, cutoff(account, today, months)), *[~h for h in holds])


def count_due(account: Account, today: date | None = None) -> int:
    if not account.retention_months:
        return 0
    today = today or account.today()
    return db.session.scalar(select(func.count()).select_from(due_query(account, today).subquery()))


@dataclass
class PreviewRow:
    customer: Customer
    last_activity: datetime | None
    held_because: list[str]


def preview(
    account: Account, limit: int | None = 200, today: date | None = None, months: int | None = None
) -> tuple[list[PreviewRow], list[PreviewRow]]:
    """(due, held): who the next run forgets, and who it would forget but for a hold. `months`
    asks "what if" for another period; `limit=None` lists everyone (the operator's CLI)."""
    today = today or account.today()
    since = cutoff(account, today, months)
    labels = _holds(today)
    statement = (
        select(Customer, *[condition for _label, condition in labels])
        .where(*_inactive(account, since))
        .order_by(Customer.id)
    )
    if limit is not None:
        statement = statement.limit(limit * 4)
    due, held = [], []
    for row in db.session.execute(statement):
        customer = row[0]
        reasons = [label for (label, _c), flag in zip(labels, row[1:], strict=True) if flag]
        (held if reasons else due).append(PreviewRow(customer, customer.last_activity_at, reasons))
    return due[:limit], held[:limit]


def next_run_date(account: Account, today: date | None = None) -> date | None:
    """The night of the first run after switching on, then the same day each month."""
    if not account.retention_months or not account.retention_since:
        return None
    today = today or account.today()
    first = account.local_date(account.retention_since) + timedelta(days=1)
    if today <= first:
        return first
    months = (today.year - first.year) * 12 + today.month - first.month
    candidate = add_months(first, months)
    return candidate if candidate >= today else add_months(first, months + 1)


def latest_due_date(account: Account, today: date) -> date | None:
    """The most recent scheduled run date up to today (a missed one is caught up by this)."""
    if not account.retention_months or not account.retention_since:
        return None
    first = account.local_date(account.retention_since) + timedelta(days=1)
    if today < first:
        return None
    months = (today.year - first.year) * 12 + today.month - first.month
    due = add_months(first, months)
    return due if due <= today else add_months(first, months - 1)


def _claim(account: Account, due_on: date, today: date) -> RetentionRun | None:
    """The run for this due date, if this worker may work on it now; None otherwise."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    run = db.session.scalars(
        select(RetentionRun).where(RetentionRun.account_id == account.id, RetentionRun.due_on == due_on)
    ).one_or_none()
    if run is None:
        run = RetentionRun(
            account_id=account.id,
            due_on=due_on,
            cutoff_on=add_months(today, -account.retention_months),
            status="running",
            worker=worker,
        )
        db.session.add(run)
        try:
            db.session.commit()
        except IntegrityError:  # another scheduler was quicker
            db.session.rollback()
            return None
        return run
    if run.status != "running":
        return None
    # A running run whose worker went quiet is taken over; a live one is left alone.
    taken = db.session.execute(
        update(RetentionRun)
        .where(
            RetentionRun.id == run.id,
            RetentionRun.status == "running",
            RetentionRun.heartbeat_at < utcnow() - STALE_AFTER,
        )
        .values(heartbeat_at=utcnow(), worker=worker)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return None
    db.session.refresh(run)
    return run


def run_due(account_id: int, today: date | None = None, batch_size: int = BATCH) -> RetentionRun | None:
    """Do the salon's due run, if any and not done; resumable and safe to call twice."""
    account = db.session.get(Account, account_id)
    if account is None or not account.retention_months:
        return None
    today = today or account.today()
    due_on = latest_due_date(account, today)
    if due_on is None:
        return None
    run = _claim(account, due_on, today)
    if run is None:
        return None
    actor = Actor(account.id, None, None, "", f"retention-{run.id}", "automatic forgetting")
    after = 0
    while True:
        db.session.refresh(account)
        if not account.retention_months:  # switched off meanwhile: stop after the batch done
            run.status, run.finished_at = "stopped", utcnow()
            db.session.commit()
            return run
        ids = list(
            db.session.scalars(
                due_query(account, today).where(Customer.id > after).order_by(Customer.id).limit(batch_size)
            )
        )
        if not ids:
            break
        erase_customers(actor, account.id, ids)
        after = ids[-1]
        run.forgotten += len(ids)
        run.batches += 1
        run.heartbeat_at = utcnow()
        db.session.commit()  # each batch is one transaction: all of it forgotten, or none
    run.held = count_held(account, today)
    run.status, run.finished_at = "finished", utcnow()
    record(
        actor,
        "setting",
        "retention_run",
        "retention_run",
        run.id,
        {"forgotten": {"old": None, "new": run.forgotten}, "held": {"old": None, "new": run.held}},
        summary=due_on.isoformat(),
    )
    _summary_mail(account, run)
    db.session.commit()
    return run


def count_held(account: Account, today: date) -> int:
    holds = [condition for _label, condition in _holds(today)]
    return db.session.scalar(
        select(func.count()).select_from(
            select(Customer.id).where(*_inactive(account, cutoff(account, today)), or_(*holds)).subquery()
        )
    )


def _summary_mail(account: Account, run: RetentionRun) -> None:
    """Counts, never names."""
    mail_owners(
        account,
        "retention_summary",
        {
            "salon": account.name,
            "forgotten": run.forgotten,
            "held": run.held,
            "due_on": run.due_on,
            "months": account.retention_months,
            "next_run": next_run_date(account, run.due_on + timedelta(days=1)),
            "link": external_url("retention.preview"),
        },
    )


def run_all_due(today: date | None = None) -> dict:
    """The nightly job: every salon with automatic forgetting switched on."""
    results = {}
    for account_id in db.session.scalars(select(Account.id).where(Account.retention_months.is_not(None))):
        run = run_due(account_id, today)
        if run is not None:
            results[account_id] = run.forgotten
    return results


def preview_page(account: Account) -> dict:
    """Settings > Privacy > Automatic forgetting: who the next run forgets, who is held, the runs."""
    due, held = preview(account) if account.retention_months else ([], [])
    runs = db.session.scalars(scoped(RetentionRun, account.id).order_by(RetentionRun.due_on.desc()).limit(12)).all()
    return {
        "due": due,
        "held": held,
        "runs": runs,
        "total": count_due(account),
        "next_run": next_run_date(account),
    }
