"""Privacy requests of data subjects (Art. 15–21 GDPR) and the consent records they touch."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow

REQUEST_KINDS = ("access", "portability", "correction", "erasure", "restriction", "objection")
REQUEST_CHANNELS = ("online", "in_person", "phone", "letter", "email")
# unverified: an online request whose email link was not yet confirmed (not yet received).
REQUEST_STATUSES = ("unverified", "new", "in_progress", "done", "rejected")
OPEN_STATUSES = ("new", "in_progress")


class PrivacyRequest(TenantMixin, db.Model):
    __table_args__ = (
        Index("ix_request_inbox", "account_id", "status", "due_on", "id"),
        Index("ix_request_kind", "account_id", "kind", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    status: Mapped[str] = mapped_column(String(20), default="new")
    # The requester's address; blanked on erasure (email_hash remains as proof).
    email: Mapped[str] = mapped_column(String(254), default="")
    email_hash: Mapped[str] = mapped_column(String(64), default="")
    locale: Mapped[str] = mapped_column(String(5), default="de")
    message: Mapped[str] = mapped_column(Text, default="")  # what the customer wrote (e.g. the correction)
    staff_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_months: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(40), default="")  # e.g. erased, no_data, package_sent
    certificate: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the access package was handed to the worker: a job lost after that is enqueued again.
    package_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    package_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"), nullable=True
    )
    # Reminders already sent: "7d", "2d", "overdue".
    reminders: Mapped[list[str]] = mapped_column(JSON, default=list)


class Consent(TenantMixin, db.Model):
    """The current state of one consent of one customer (per channel)."""

    __table_args__ = (UniqueConstraint("customer_id", "channel"),)
    CHANNELS = ("email", "sms", "photo")

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="none")  # granted, withdrawn, none
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsentLog(TenantMixin, db.Model):
    """Proof of consent (Art. 7(1)): who, when, how, which text. After an erasure only a
    salted hash of the email remains, so a withdrawal can still be proven."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(30))  # oral, signed_form, double_opt_in, unsubscribe, import, objection
    text_version: Mapped[str] = mapped_column(String(40), default="")
    text_hash: Mapped[str] = mapped_column(String(64), default="")
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    ip: Mapped[str] = mapped_column(String(45), default="")
    email_hash: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
