"""The salon's accountability records: its choices in the portal's own retention plan
(Löschkonzept) and its own technical and organisational measures (TOM, Art. 32 GDPR)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
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
