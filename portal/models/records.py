"""The salon's accountability records: its choices in the portal's own retention plan
(Löschkonzept), its own technical and organisational measures (TOM, Art. 32 GDPR), and its
processors (Art. 28) with the Art. 19 tick-off on each erasure request."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class RecordRetention(TenantMixin, db.Model):
    """A period the salon chose for one kind of record (absent: the plan's default)."""

    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    months: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SalonMeasure(TenantMixin, db.Model):
    """One of the salon's own technical and organisational measures (Art. 32 GDPR): done or not,
    and how."""

    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConfidentialityCommitment(TenantMixin, db.Model):
    """The day an employee signed the commitment to confidentiality (Art. 28(3)(b), 29, 32(4))."""

    __table_args__ = (UniqueConstraint("employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    signed_on: Mapped[date] = mapped_column(Date)


class Processor(TenantMixin, db.Model):
    """A processor (Auftragsverarbeiter, Art. 28 GDPR) or other system holding the salon's
    customer data. Three are prefilled (`standard`: the portal's operator, the mail provider,
    the SMS gateway); the owner completes them and adds the rest."""

    __table_args__ = (UniqueConstraint("account_id", "standard"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard: Mapped[str | None] = mapped_column(String(20), nullable=True)  # operator, mail, sms
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    service: Mapped[str] = mapped_column(String(300), default="")
    data_categories: Mapped[str] = mapped_column(String(500), default="")
    region: Mapped[str] = mapped_column(String(20), default="")  # where processed: eu, third_country; "" not stated
    country: Mapped[str] = mapped_column(String(100), default="")  # the third country
    transfer_mechanism: Mapped[str] = mapped_column(String(20), default="")  # adequacy, scc, bcr
    dpa_signed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    dpa_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"), nullable=True)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The review date the owners were reminded of: one reminder per date.
    reminded_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    # On an erasure someone must remove the person there by hand (Art. 19 GDPR).
    erase_by_hand: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ErasureSystemCheck(TenantMixin, db.Model):
    """On an erasure request: one system the person was removed from, or skipped with a reason.
    The system's name is copied: the request's proof outlives a processor entry deleted later."""

    __table_args__ = (UniqueConstraint("request_id", "processor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("privacy_request.id", ondelete="CASCADE"), index=True)
    processor_id: Mapped[int | None] = mapped_column(ForeignKey("processor.id", ondelete="SET NULL"), nullable=True)
    system_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(10))  # cleaned, skipped
    reason: Mapped[str] = mapped_column(Text, default="")
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
