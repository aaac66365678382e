"""Every RQ job, declared once: its dotted name, queue, job id and timeout, and for the jobs a
row waits for, the query of the rows waiting (what `portal.recovery` enqueues again when Redis
lost them). Services, mail, recovery, the schedule and the CLI take jobs from here, never
spell a name themselves. Never imports jobs/ (jobs import portal, not the reverse): the worker
finds a job by its dotted name.

Jobs are enqueued *after* the surrounding transaction commits: a worker must never pick up a
job for a row it cannot see yet, and a rolled-back request must not leave a job behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import (
    Breach,
    Campaign,
    CustomerExport,
    CustomerImport,
    EvidencePack,
    ImportStatus,
    LoginHistoryExport,
    Message,
    OutboundEmail,
    PrivacyRequest,
)

QUEUES = ("default", "emails", "exports")
# The worker, loaded by name by `flask worker`.
WORKER = "jobs.worker:make_worker"


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


@dataclass(frozen=True)
class JobKind:
    """One job. `id_format` is formatted with the row (`{row.id}`): one job id per row, so a
    job enqueued twice sits once in a queue. `waiting(before)` selects the rows (id first)
    waiting for this job since before that moment."""

    name: str
    queue: str = "default"
    id_format: str | None = None
    timeout: int | None = None  # seconds; RQ's default (180) when None
    waiting: Callable[[datetime], Select] | None = None

    def job_id(self, row) -> str | None:
        return self.id_format.format(row=row) if self.id_format else None

    def pending(self, row=None, job_id: str | None = None) -> PendingJob:
        extra = {"timeout": self.timeout} if self.timeout else {}
        args = (row.id,) if row is not None else ()
        return PendingJob(self.name, args, self.queue, job_id or (self.job_id(row) if row is not None else None), extra)

    def after_commit(self, row) -> None:
        """Enqueue for this row once the session's transaction commits."""
        db.session.info.setdefault("pending_jobs", []).append(self.pending(row))

    def now(self, row=None, job_id: str | None = None):
        return enqueue_now(self.pending(row, job_id))


DELIVER_EMAIL = JobKind(
    "jobs.mail.deliver_email",
    "emails",
    "email-{row.id}",
    waiting=lambda before: select(OutboundEmail.id).where(
        OutboundEmail.status == "queued", OutboundEmail.created_at < before
    ),
)
# Appointment messages only: a campaign's rows are its own job's (claimed before sending, so a
# campaign run again sends nobody twice).
DELIVER_MESSAGE = JobKind(
    "jobs.messaging.deliver_message",
    "emails",
    "message-{row.id}",
    waiting=lambda before: select(Message.id).where(
        Message.status == "queued", Message.campaign_id.is_(None), Message.created_at < before
    ),
)
SEND_CAMPAIGN = JobKind(
    "jobs.messaging.send_campaign",
    "emails",
    "campaign-{row.id}",
    timeout=3600,
    waiting=lambda before: select(Campaign.id).where(Campaign.status == "sending", Campaign.queued_at < before),
)
# Art. 34 messages of a breach: one job per breach; its rows make a second run tell nobody twice.
SEND_BREACH_NOTICES = JobKind(
    "jobs.privacy.send_breach_notices",
    "emails",
    "breach-notices-{row.id}",
    timeout=3600,
    waiting=lambda before: select(Breach.id).where(Breach.notice_status == "sending", Breach.notice_queued_at < before),
)
BUILD_ACCESS_PACKAGE = JobKind(
    "jobs.privacy.build_access_package",
    "exports",
    "access-package-{row.id}",
    waiting=lambda before: select(PrivacyRequest.id).where(
        PrivacyRequest.status == "in_progress",
        PrivacyRequest.package_file_id.is_(None),
        PrivacyRequest.package_requested_at < before,
    ),
)
BUILD_EVIDENCE_PACK = JobKind(
    "jobs.privacy.build_evidence_pack",
    "exports",
    "evidence-pack-{row.id}",
    timeout=1800,
    waiting=lambda before: select(EvidencePack.id).where(
        EvidencePack.status.in_(("queued", "building")), EvidencePack.created_at < before
    ),
)
BUILD_LOGIN_HISTORY = JobKind(
    "jobs.history.build_login_history",
    "exports",
    "login-history-{row.id}",
    waiting=lambda before: select(LoginHistoryExport.id).where(
        LoginHistoryExport.status == "queued", LoginHistoryExport.created_at < before
    ),
)
# One job id per run: a run queued again after its worker died is a new job, a lost job
# enqueued again is the same one. Queued since confirmation, or since the maintenance queued a
# run again (heartbeat).
BUILD_EXPORT = JobKind(
    "jobs.exports.build_export",
    "exports",
    "export-{row.id}-{row.runs}",
    timeout=4 * 3600,
    waiting=lambda before: select(CustomerExport.id, CustomerExport.runs).where(
        CustomerExport.status == "queued",
        func.coalesce(CustomerExport.heartbeat_at, CustomerExport.confirmed_at) < before,
    ),
)
# Customer imports: the check of the file, then the import itself. `runs` is the generation of
# the job at work (a new mapping, the confirmation, a retry), so each has a job id of its own.
CHECK_IMPORT = JobKind(
    "jobs.imports.check_import",
    "default",
    "import-check-{row.id}-{row.runs}",
    timeout=3600,
    waiting=lambda before: select(CustomerImport.id, CustomerImport.runs).where(
        CustomerImport.status == ImportStatus.CHECKING, CustomerImport.heartbeat_at < before
    ),
)
RUN_IMPORT = JobKind(
    "jobs.imports.run_import",
    "default",
    "import-run-{row.id}-{row.runs}",
    timeout=3600,
    waiting=lambda before: select(CustomerImport.id, CustomerImport.runs).where(
        CustomerImport.status == ImportStatus.QUEUED, CustomerImport.heartbeat_at < before
    ),
)
# Recurring (the schedule in `portal.scheduling`).
PRIVACY_DAILY = JobKind("jobs.privacy.daily")
BREACH_REMINDERS = JobKind("jobs.privacy.breach_reminders")
RETENTION_NIGHTLY = JobKind("jobs.retention.nightly", timeout=4 * 3600)
EXPORT_MAINTENANCE = JobKind("jobs.exports.maintenance")
APPOINTMENT_REMINDERS = JobKind("jobs.messaging.reminders")
RECOVER_LOST_JOBS = JobKind("jobs.recovery.lost_jobs")
IMPORT_MAINTENANCE = JobKind("jobs.imports.maintenance")
AUTOMATIONS = JobKind("jobs.messaging.automations", timeout=3600)
SCHEDULED_CAMPAIGNS = JobKind("jobs.messaging.scheduled_campaigns")

# The jobs a row waits for, in the order recovery looks at them.
WAITING_ROWS = (
    DELIVER_EMAIL,
    DELIVER_MESSAGE,
    SEND_CAMPAIGN,
    SEND_BREACH_NOTICES,
    BUILD_ACCESS_PACKAGE,
    BUILD_LOGIN_HISTORY,
    BUILD_EVIDENCE_PACK,
    BUILD_EXPORT,
    CHECK_IMPORT,
    RUN_IMPORT,
)


@event.listens_for(Session, "after_commit")
def _flush_pending_jobs(session: Session) -> None:
    pending = session.info.pop("pending_jobs", [])
    for job in pending:
        try:
            enqueue_now(job)
        except Exception:  # Redis down: the row stays queued and `portal.recovery` enqueues it again
            current_app.logger.exception("could not enqueue job %s", job.name)


@event.listens_for(Session, "after_rollback")
def _drop_pending_jobs(session: Session) -> None:
    session.info.pop("pending_jobs", None)
