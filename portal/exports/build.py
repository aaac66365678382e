"""The export job and the maintenance that retries exports whose worker died."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from portal import tokens
from portal.audit import Actor
from portal.exports.fields import HEALTH_FIELD, HEALTH_LABEL, STANDARD_FIELDS
from portal.exports.service import (
    DOWNLOAD_PURPOSE,
    LINK_HOURS,
    erased_since,
    event,
    expire_old,
    withdraw,
)
from portal.exports.writer import write_export
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import Account, CustomerExport, CustomerFieldDefinition, Login
from portal.models.base import utcnow
from portal.tasks import BUILD_EXPORT

STALE_AFTER = timedelta(minutes=10)
MAX_RUNS = 3
EXTENSIONS = {"csv": "csv", "csv_de": "csv", "xlsx": "xlsx"}


def _labels(account_id: int) -> dict:
    labels = dict(STANDARD_FIELDS)
    labels[HEALTH_FIELD] = HEALTH_LABEL
    for definition in db.session.scalars(
        select(CustomerFieldDefinition).where(CustomerFieldDefinition.account_id == account_id)
    ):
        labels[f"custom:{definition.id}"] = definition.label
    return labels


def _claim(export_id: int) -> bool:
    """One run at a time, taken in one conditional UPDATE of a queued export: a job delivered
    twice never builds the file twice at once. (A run whose worker died is queued again by the
    maintenance below.)"""
    now = utcnow()
    taken = db.session.execute(
        update(CustomerExport)
        .where(CustomerExport.id == export_id, CustomerExport.status == "queued")
        .values(
            status="running",
            runs=CustomerExport.runs + 1,
            heartbeat_at=now,
            started_at=func.coalesce(CustomerExport.started_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _still_ours(export: CustomerExport, run: int) -> bool:
    """A worker that stalled past the maintenance's patience finds its export queued again or
    taken by a later run: it then neither finishes it nor mails a link (the row is locked until
    the caller commits, so the later run cannot slip in between)."""
    current = db.session.execute(
        select(CustomerExport.status, CustomerExport.runs).where(CustomerExport.id == export.id).with_for_update()
    ).one()
    return tuple(current) == ("running", run)


def run_export(export_id: int) -> str:
    """Idempotent: a finished export is never built or mailed twice; a retry after a crash
    starts the file again from the first customer."""
    if not _claim(export_id):
        db.session.rollback()
        return "nothing-to-do"
    export = db.session.get(CustomerExport, export_id, populate_existing=True)
    run = export.runs
    actor = Actor(export.account_id, export.recipient_login_id)
    event(actor, export, "started", run=export.runs)
    db.session.commit()

    reading_from = utcnow()
    size = write_export(export, _labels(export.account_id))
    if not _still_ours(export, run):
        db.session.rollback()
        return "superseded"

    if erased_since(export.account_id, reading_from):
        # Someone was erased while the file was being written: it may still name them.
        withdraw(export)
        db.session.commit()
        return "withdrawn"
    recipient = db.session.get(Login, export.recipient_login_id)
    account = db.session.get(Account, export.account_id)
    stamp = account.today().isoformat()  # the salon's date, as on its calendar
    export.file_name = f"kunden-{account.slug}-{stamp}.{EXTENSIONS[export.file_format]}"
    export.file_size, export.status, export.finished_at = size, "finished", utcnow()
    token = tokens.issue(export.account_id, DOWNLOAD_PURPOSE, {"export_id": export.id}, hours=LINK_HOURS)
    queue_email(
        export.account_id,
        recipient.email,
        "export_ready",
        {
            "link": external_url("exports.download", token=tokens.link_value(token)),
            "salon": account.name,
            "rows": export.progress_total,
            "hours": LINK_HOURS,
            "repeat": export.repeat_downloads,
        },
        locale=recipient.locale,
        login_id=recipient.id,
    )
    event(actor, export, "finished", rows=export.progress_total, size=size)
    db.session.commit()
    return "finished"


def maintain() -> dict:
    """Every few minutes: retry exports whose worker died (no heartbeat for 10 minutes), give up
    after three runs, and expire finished exports nobody downloaded within 24 hours. (An export
    whose job was lost before it started is enqueued again by `portal.recovery`.)"""
    now = utcnow()
    retried = failed = 0
    for export in db.session.scalars(
        select(CustomerExport).where(
            CustomerExport.status == "running", CustomerExport.heartbeat_at < now - STALE_AFTER
        )
    ).all():
        actor = Actor(export.account_id, None)
        if export.runs >= MAX_RUNS:
            export.status, export.error = "failed", "worker stopped three times"
            event(actor, export, "failed", runs=export.runs)
            failed += 1
            continue
        export.status = "queued"
        export.heartbeat_at = now  # queued as of now: the recovery of lost jobs waits from here
        db.session.commit()
        BUILD_EXPORT.now(export)
        retried += 1
    expired = expire_old(now)
    db.session.commit()
    return {"retried": retried, "failed": failed, "expired": expired}
