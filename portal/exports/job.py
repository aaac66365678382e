"""The export job and the maintenance that retries exports whose worker died."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import tokens
from portal.exports.fields import STANDARD_FIELDS
from portal.exports.service import DOWNLOAD_PURPOSE, LINK_HOURS, event, expire_old
from portal.exports.writer import write_export
from portal.extensions import db
from portal.history.audit import Actor
from portal.mail import external_url, queue_email
from portal.models import Account, CustomerExport, CustomerFieldDefinition, Login
from portal.models.base import utcnow
from portal.tasks import PendingJob, enqueue_now

STALE_AFTER = timedelta(minutes=10)
MAX_RUNS = 3
EXTENSIONS = {"csv": "csv", "csv_de": "csv", "xlsx": "xlsx"}


def _labels(account_id: int) -> dict:
    labels = dict(STANDARD_FIELDS)
    for definition in db.session.scalars(select(CustomerFieldDefinition).where(
            CustomerFieldDefinition.account_id == account_id)):
        labels[f"custom:{definition.id}"] = definition.label
    return labels


def run_export(export_id: int) -> str:
    """Idempotent: a finished export is never built or mailed twice; a retry after a crash
    starts the file again from the first customer."""
    export = db.session.get(CustomerExport, export_id)
    if export is None or export.status not in ("queued", "running"):
        return "nothing-to-do"
    actor = Actor(export.account_id, export.recipient_login_id)
    export.status, export.runs = "running", export.runs + 1
    export.started_at = export.started_at or utcnow()
    export.heartbeat_at = utcnow()
    event(actor, export, "started", run=export.runs)
    db.session.commit()

    size = write_export(export, _labels(export.account_id))

    recipient = db.session.get(Login, export.recipient_login_id)
    account = db.session.get(Account, export.account_id)
    stamp = utcnow().strftime("%Y-%m-%d")
    export.file_name = f"kunden-{account.slug}-{stamp}.{EXTENSIONS[export.file_format]}"
    export.file_size, export.status, export.finished_at = size, "finished", utcnow()
    token = tokens.issue(export.account_id, DOWNLOAD_PURPOSE, {"export_id": export.id}, hours=LINK_HOURS)
    queue_email(export.account_id, recipient.email, "export_ready", {
        "link": external_url("exports.download", token=tokens.link_value(token)),
        "salon": account.name, "rows": export.progress_total, "hours": LINK_HOURS,
        "repeat": export.repeat_downloads,
    }, locale=recipient.locale, login_id=recipient.id)
    event(actor, export, "finished", rows=export.progress_total, size=size)
    db.session.commit()
    return "finished"


def maintain() -> dict:
    """Every few minutes: retry exports whose worker died (no heartbeat for 10 minutes), give up
    after three runs, and expire finished exports nobody downloaded within 24 hours."""
    now = utcnow()
    retried = failed = 0
    for export in db.session.scalars(select(CustomerExport).where(
            CustomerExport.status == "running", CustomerExport.heartbeat_at < now - STALE_AFTER)):
        actor = Actor(export.account_id, None)
        if export.runs >= MAX_RUNS:
            export.status, export.error = "failed", "worker stopped three times"
            event(actor, export, "failed", runs=export.runs)
            failed += 1
            continue
        export.status = "queued"
        db.session.commit()
        enqueue_now(PendingJob("jobs.exports.build_export", (export.id,), "exports", f"export-{export.id}-{export.runs}"))
        retried += 1
    expired = expire_old(now)
    db.session.commit()
    return {"retried": retried, "failed": failed, "expired": expired}
