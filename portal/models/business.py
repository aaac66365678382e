"""What the salon sells and books: services, appointments, invoices, vouchers, loyalty."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class Service(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Hair, beauty and fitness services are taxed at the standard rate (§ 12 Abs. 1 UStG).
    vat_rate_permille: Mapped[int] = mapped_column(Integer, default=190, server_default="190")


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"  # checked out: an invoice exists for the visit
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Appointment(TenantMixin, db.Model):
    __table_args__ = (
        Index("ix_appointment_customer_start", "customer_id", "starts_at"),
        Index("ix_appointment_account_start", "account_id", "starts_at"),
        Index("ix_appointment_account_status_start", "account_id", "status", "starts_at"),
    )
    STATUSES = tuple(AppointmentStatus)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), nullable=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=AppointmentStatus.BOOKED)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The customer has arrived (Check-in): the forms due for the visit are offered now.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    service: Mapped[Service | None] = relationship(lazy="joined")
    employee = relationship("Employee", lazy="joined")


class InvoiceCounter(db.Model):
    """The last invoice number given per salon. Taken by one UPDATE in the checkout's own
    transaction: a rolled-back checkout gives its number back, so the sequence has no gaps."""

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CANCELLATION = "cancellation"  # Stornorechnung: corrects an invoice, never replaces it


class Invoice(TenantMixin, db.Model):
    """An accounting voucher (Buchungsbeleg): never edited or deleted while its period runs
    (GoBD); kept 8 years under § 147 AO even after the customer's erasure."""

    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        UniqueConstraint("account_id", "checkout_key"),
        Index("ix_invoice_customer_issued", "customer_id", "issued_at"),
        Index("ix_invoice_account_issued", "account_id", "issued_at"),
    )
    STATUSES = ("open", "paid", "cancelled")

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), default=InvoiceKind.INVOICE, server_default="invoice")
    # A cancellation invoice names the invoice it corrects.
    cancels_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), nullable=True, unique=True)
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    service_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # Leistungsdatum
    status: Mapped[str] = mapped_column(String(20), default="paid")
    total_cents: Mapped[int] = mapped_column(Integer, default=0)  # gross
    # The seller and buyer as printed (§ 14 Abs. 4 Nr. 1, 2 UStG): a snapshot, so a later change
    # of the location's address does not change an issued invoice.
    seller_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    seller_address: Mapped[str] = mapped_column(String(400), default="", server_default="")
    seller_tax_id: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The name as printed on the invoice: part of the voucher, kept when the customer is erased.
    billed_name: Mapped[str] = mapped_column(String(210), default="", server_default="")
    billed_address: Mapped[str] = mapped_column(String(400), default="", server_default="")
    cancel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # One submitted checkout form = one invoice, however often it arrives (double click).
    checkout_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Set on erasure: the invoice is then a retained record, purged after this date (§ 147 AO).
    retained_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.id"
    )
    payments: Mapped[list[InvoicePayment]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoicePayment.id"
    )


class LineKind(StrEnum):
    SERVICE = "service"
    PRODUCT = "product"
    VOUCHER = "voucher"  # a voucher sold (multi-purpose: no VAT until redeemed)
    DISCOUNT = "discount"
    REWARD = "reward"  # a bonus card's reward, given at no charge


class InvoiceLine(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=LineKind.SERVICE, server_default="service")
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_cents: Mapped[int] = mapped_column(Integer, default=0)  # gross
    vat_rate_permille: Mapped[int] = mapped_column(Integer, default=190)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    VOUCHER = "voucher"


class InvoicePayment(TenantMixin, db.Model):
    """How an invoice was paid; a cancellation invoice pays back with negative amounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("voucher.id"), nullable=True)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


# Fields of an issued invoice that may still change: its state, the erasure's detachment and
# retention date, and the printed name filled in on erasure when it was empty.
INVOICE_MUTABLE = frozenset({"status", "customer_id", "retained_until", "billed_name"})


class InvoiceImmutable(Exception):
    """An issued invoice or its lines were to be changed (GoBD: correct by cancellation)."""


@event.listens_for(Invoice, "before_update")
def _invoice_content_is_final(_mapper, _connection, target: Invoice) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - {"lines", "payments"}
    if changed - INVOICE_MUTABLE:
        raise InvoiceImmutable(sorted(changed - INVOICE_MUTABLE))


@event.listens_for(InvoiceLine, "before_update")
@event.listens_for(InvoicePayment, "before_update")
def _lines_are_final(_mapper, _connection, _target) -> None:
    raise InvoiceImmutable("lines")


class Voucher(TenantMixin, db.Model):
    __table_args__ = (UniqueConstraint("account_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), nullable=True, index=True)
    initial_cents: Mapped[int] = mapped_column(Integer)
    remaining_cents: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Sold at the till (the invoice that sold it), or created without a sale (a gift, a promotion).
    sold_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), nullable=True)
    # Paid out or voided: the remaining value was closed with a reason (see VoucherEntry).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    entries: Mapped[list[VoucherEntry]] = relationship(
        order_by="VoucherEntry.id", lazy="selectin", back_populates="voucher"
    )


class VoucherEntryKind(StrEnum):
    ISSUED = "issued"
    SOLD = "sold"
    REDEEMED = "redeemed"
    REFUNDED = "refunded"  # a cancelled invoice gave back what it had redeemed
    PAID_OUT = "paid_out"
    VOIDED = "voided"


class VoucherEntry(TenantMixin, db.Model):
    """The voucher's own history: every change of its value, with who, when and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)  # change of the remaining value
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    voucher: Mapped[Voucher] = relationship(back_populates="entries")


bonus_program_service = Table(
    "bonus_program_service",
    db.Model.metadata,
    Column("program_id", ForeignKey("bonus_program.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class BonusProgram(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    stamps_required: Mapped[int] = mapped_column(Integer, default=10)
    reward: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    services: Mapped[list[Service]] = relationship(
        secondary=bonus_program_service, lazy="selectin", order_by="Service.name"
    )


class StampCard(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("bonus_program.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The reward of a full card, given at a checkout.
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    redeemed_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), nullable=True)

    program: Mapped[BonusProgram] = relationship(lazy="joined")


class StampEntry(TenantMixin, db.Model):
    """Stamps a checkout put on a card (negative when its invoice was cancelled)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("stamp_card.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    stamps: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
