"""Privacy requests of data subjects (Art. 15–21 GDPR)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class RequestStatus(StrEnum):
    UNVERIFIED = "unverified"  # an online request whose email link was not yet confirmed (not yet received)
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"


# Waiting for the salon: counted against the deadline.
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS)


class PrivacyRequest(TenantMixin, db.Model):
    __table_args__ = (
        Index("ix_request_inbox", "account_id", "status", "due_on", "id"),
        Index("ix_request_kind", "account_id", "kind", "status", "due_on"),
        # The overview's requests per month: counted from the index alone.
        Index("ix_request_received", "account_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.NEW)
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

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
