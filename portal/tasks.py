"""Enqueue RQ jobs by dotted name. Never imports jobs/ (jobs import portal, not the reverse).

Jobs are enqueued *after* the surrounding transaction commits: a worker must never pick up a
job for a row it cannot see yet, and a rolled-back request must not leave a job behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

QUEUES = ("default", "emails", "exports")


@dataclass
class PendingJob:
    name: str
    args: tuple
    queue: str = "default"
    job_id: str | None = None
    extra: dict = field(default_factory=dict)


def redis_connection() -> Redis:
    ext = current_app.extensions
    if "portal_redis" not in ext:
        ext["portal_redis"] = Redis.from_url(current_app.config["REDIS_URL"])
    return ext["portal_redis"]


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name}")
    return Queue(name, connection=redis_connection(), serializer=JSONSerializer)


def enqueue_now(job: PendingJob):
    for arg in job.args:
        # Jobs take ids, never personal data (RQ keeps failed jobs' arguments in Redis).
        if not isinstance(arg, int | None):
            raise TypeError("job arguments must be ids (int)")
    return get_queue(job.queue).enqueue_call(
        job.name,
        args=job.args,
        job_id=job.job_id,
        failure_ttl=current_app.config["JOB_FAILURE_TTL"],
        result_ttl=600,
        **job.extra,
    )


def enqueue_after_commit(
    session: Session, name: str, *args: int, queue: str = "default", job_id: str | None = None
) -> None:
    session.info.setdefault("pending_jobs", []).append(PendingJob(name, args, queue, job_id))


@event.listens_for(Session, "after_commit")
def _flush_pending_jobs(session: Session) -> None:
    pending = session.info.pop("pending_jobs", [])
    for job in pending:
        try:
            enqueue_now(job)
        except Exception:  # Redis down: the row stays queued and `flask mail retry` resends it
            current_app.logger.exception("could not enqueue job %s", job.name)


@event.listens_for(Session, "after_rollback")
def _drop_pending_jobs(session: Session) -> None:
    session.info.pop("pending_jobs", None)
