"""Audit events: who changed or looked at what, when. Append-only.

Written in the same transaction as the change it records. The only permitted change to a
stored event is the erasure redaction of a customer's personal values (privacy requests),
which runs with `session.info["audit_redaction"] = True`; everything else raises.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class AuditEvent(TenantMixin, db.Model):
    __table_args__ = (
        # The log pages filter by category and period, newest first, and page by (time, id).
        Index("ix_audit_category_time", "account_id", "category", "occurred_at", "id"),
        Index("ix_audit_customer_time", "account_id", "customer_id", "occurred_at", "id"),
        Index("ix_audit_entity", "account_id", "entity_type", "entity_id", "occurred_at"),
        Index("ix_audit_employee_time", "account_id", "category", "employee_id", "occurred_at"),
        Index("ix_audit_actor_time", "account_id", "category", "actor_login_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # appointment | customer | setting | login | access
    category: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The customer whose personal data the event holds, so erasure can find and redact it.
    customer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    # {"field": {"label": ..., "old": ..., "new": ...}} or context such as {"tab": "invoices"}.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(200), default="")
    request_id: Mapped[str] = mapped_column(String(32), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, flush_context, instances) -> None:
    if session.info.get("audit_redaction"):
        return
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("audit events are append-only")


class StoredFile(TenantMixin, db.Model):
    """A generated download (e.g. a login-history CSV), kept in the database so that web and
    worker processes on different machines see the same file; deleted when it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100), default="text/csv")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None: kept until deleted with what it belongs to (a processor's signed DPA).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginHistoryExport(TenantMixin, db.Model):
    """The owner's request for one login's history over at most a year; built by a job."""

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("login.id"))
    login_id: Mapped[int] = mapped_column(ForeignKey("login.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, done, failed
    rows: Mapped[int] = mapped_column(Integer, default=0)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
