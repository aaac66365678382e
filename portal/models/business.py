"""What the salon sells and books: services, appointments, invoices, vouchers, loyalty."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class Service(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(TenantMixin, db.Model):
    __table_args__ = (
        Index("ix_appointment_customer_start", "customer_id", "starts_at"),
        Index("ix_appointment_account_start", "account_id", "starts_at"),
    )
    STATUSES = ("booked", "done", "cancelled", "no_show")

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), nullable=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="booked")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    service: Mapped[Service | None] = relationship(lazy="joined")
    employee = relationship("Employee", lazy="joined")


class Invoice(TenantMixin, db.Model):
    """An accounting voucher (Buchungsbeleg): kept 8 years under § 147 AO even after erasure."""

    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        Index("ix_invoice_customer_issued", "customer_id", "issued_at"),
    )
    STATUSES = ("open", "paid", "cancelled")

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True)
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="paid")
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The name as printed on the invoice: part of the voucher, kept when the customer is erased.
    billed_name: Mapped[str] = mapped_column(String(210), default="", server_default="")
    # Set on erasure: the invoice is then a retained record, purged after this date (§ 147 AO).
    retained_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.id"
    )


class InvoiceLine(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_cents: Mapped[int] = mapped_column(Integer, default=0)
    vat_rate_permille: Mapped[int] = mapped_column(Integer, default=190)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


class Voucher(TenantMixin, db.Model):
    __table_args__ = (UniqueConstraint("account_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True, index=True)
    initial_cents: Mapped[int] = mapped_column(Integer)
    remaining_cents: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class BonusProgram(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    stamps_required: Mapped[int] = mapped_column(Integer, default=10)
    reward: Mapped[str] = mapped_column(String(200), default="")


class StampCard(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("bonus_program.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    program: Mapped[BonusProgram] = relationship(lazy="joined")
