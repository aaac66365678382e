"""Lost jobs are enqueued again. A job is lost when Redis restarted without its data, or when
Redis was away at the moment a request committed (the row is saved, the job never reached a
queue): an emailed link, a campaign or an access package would then wait for ever.

Every few minutes the rows that have waited for a worker longer than `WAITING_AFTER` are
checked against Redis: a job Redis still holds (queued, running, scheduled, or failed and kept
for inspection) is left alone, so nothing runs twice at once; any other is enqueued again
under its usual job id. Every job checks its row first, so a late duplicate does nothing. A job
recovered `MAX_RECOVERIES` times is given up and logged: it fails for a reason a person must
look at. A customer export whose run died (its worker stopped mid-file) is restarted by the
export maintenance (`exports.job.maintain`), which knows its heartbeat."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import Row, select

from portal.extensions import db
from portal.models import OutboundEmail
from portal.models.base import utcnow
from portal.tasks import DELIVER_EMAIL, WAITING_ROWS, JobKind, redis_connection

WAITING_AFTER = timedelta(minutes=10)
MAX_RECOVERIES = 3
RECOVERY_COUNT_DAYS = 7
# Mail that failed (the mail server was away) is tried again after 20, 40, 80 and 160 minutes.
MAIL_ATTEMPTS = 5
HELD_BY_REDIS = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.FAILED}


def _job_status(job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=redis_connection()).get_status()
    except NoSuchJobError:
        return None


def _recovered_too_often(job_id: str) -> bool:
    count_key = f"portal:recovered:{job_id}"
    redis = redis_connection()
    recoveries = redis.incr(count_key)
    redis.expire(count_key, RECOVERY_COUNT_DAYS * 86400)
    if recoveries == MAX_RECOVERIES + 1:
        current_app.logger.error("recovery: job %s lost %d times, given up", job_id, MAX_RECOVERIES)
    return recoveries > MAX_RECOVERIES


def _recover(job: JobKind, row: Row) -> bool:
    """Enqueue the row's job again unless Redis holds it, or it was lost too often."""
    job_id = job.job_id(row)
    if _job_status(job_id) in HELD_BY_REDIS or _recovered_too_often(job_id):
        return False
    job.now(row)
    return True


def _retry_failed_mail(now: datetime) -> int:
    """Mail the mail server refused or never answered, once its back-off has passed: the failed
    run RQ keeps for inspection is dropped and the mail enqueued again."""
    retried = 0
    for row in db.session.execute(
        select(OutboundEmail.id, OutboundEmail.attempts, OutboundEmail.created_at).where(
            OutboundEmail.status == "failed",
            OutboundEmail.attempts < MAIL_ATTEMPTS,
            OutboundEmail.created_at < now - WAITING_AFTER * 2,
        )
    ).all():
        if row.created_at >= now - WAITING_AFTER * 2**row.attempts:
            continue
        job_id = DELIVER_EMAIL.job_id(row)
        status = _job_status(job_id)
        if status in HELD_BY_REDIS - {JobStatus.FAILED}:
            continue  # already on its way again (`flask mail retry`)
        if status is not None:
            Job.fetch(job_id, connection=redis_connection()).delete()
        DELIVER_EMAIL.now(row)
        retried += 1
    return retried


def recover_lost_jobs() -> dict[str, int]:
    """Enqueue again what waits for a worker that no queue holds; returns counts per job."""
    now = utcnow()
    recovered = {
        job.name: sum(_recover(job, row) for row in db.session.execute(job.waiting(now - WAITING_AFTER)).all())
        for job in WAITING_ROWS
    }
    recovered["mail_retried"] = _retry_failed_mail(now)
    db.session.rollback()  # read only: end the transaction
    return recovered
