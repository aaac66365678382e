"""Every five minutes: an import whose worker died runs again (at most three times, then it
fails — nothing was written); a check whose worker died goes back to the mapping; files of
imports left in the wizard for a day are deleted; row reports and the undo's copies of old
values go after seven days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from portal.extensions import db
from portal.imports import progress
from portal.imports.discard import discard
from portal.imports.run import fail
from portal.imports.undo import UNDO_DAYS
from portal.models import CustomerImport, ImportIssue, ImportStatus, ImportUpdate
from portal.models.base import utcnow
from portal.tasks import RUN_IMPORT

STALE_AFTER = timedelta(minutes=10)
MAX_RUNS = 3
ABANDONED_AFTER = timedelta(days=1)
REPORT_DAYS = 7


def maintain() -> dict:
    now = utcnow()
    result = {"retried": 0, "failed": 0, "checks_stopped": 0}
    stale = select(CustomerImport).where(CustomerImport.heartbeat_at < now - STALE_AFTER)
    for imp in db.session.scalars(stale.where(CustomerImport.status == ImportStatus.RUNNING)).all():
        if progress.read(imp.id) is not None:
            continue  # still reporting: a long import, not a dead one
        if imp.attempts >= MAX_RUNS:
            fail(imp.id, imp.runs, "worker-stopped")
            result["failed"] += 1
            continue
        imp.status, imp.heartbeat_at, imp.runs = ImportStatus.QUEUED, now, imp.runs + 1
        db.session.commit()
        RUN_IMPORT.now(imp)
        result["retried"] += 1
    for imp in db.session.scalars(stale.where(CustomerImport.status == ImportStatus.CHECKING)).all():
        if progress.read(imp.id) is None:
            imp.status, imp.error = ImportStatus.UPLOADED, "check-stopped"
            result["checks_stopped"] += 1
    result.update(purge(now))
    db.session.commit()
    return result


def purge(now) -> dict:
    abandoned = db.session.scalars(
        select(CustomerImport).where(
            CustomerImport.status.in_((ImportStatus.UPLOADED, ImportStatus.CHECKED)),
            CustomerImport.created_at < now - ABANDONED_AFTER,
        )
    ).all()
    for imp in abandoned:
        discard(imp)
    ended = select(CustomerImport.id).where(CustomerImport.finished_at < now - timedelta(days=REPORT_DAYS))
    reports = db.session.execute(delete(ImportIssue).where(ImportIssue.import_id.in_(ended))).rowcount
    undo_data = db.session.execute(
        delete(ImportUpdate).where(
            ImportUpdate.import_id.in_(
                select(CustomerImport.id).where(CustomerImport.finished_at < now - timedelta(days=UNDO_DAYS))
            )
        )
    ).rowcount
    return {"abandoned": len(abandoned), "reports": reports, "undo_data": undo_data}
