"""Signed forms (seed 004): the salon's intake and treatment forms, each saved change a new
hashed version, the tablet hand-overs, and the signed documents that prove what the customer
read, answered, agreed to and signed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class FormKind(StrEnum):
    INTAKE = "intake"  # Neukundenaufnahmeformular: one per salon, built in
    TREATMENT = "treatment"  # Behandlungsformular: for some or all services


class FormInterval(StrEnum):
    EVERY_VISIT = "every_visit"
    MONTHS_3 = "3_months"
    MONTHS_6 = "6_months"
    ONCE = "once"


form_service = Table(
    "form_service",
    db.metadata,
    Column("form_id", ForeignKey("salon_form.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class SalonForm(TenantMixin, db.Model):
    """A form as the designer edits it; what a customer signs is always one of its versions."""

    __tablename__ = "salon_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=FormKind.TREATMENT)
    title: Mapped[str] = mapped_column(String(200))
    interval: Mapped[str] = mapped_column(String(20), default=FormInterval.ONCE)
    all_services: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the newest FormVersion.number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    services = relationship("Service", secondary=form_service, lazy="selectin")


class FormVersion(TenantMixin, db.Model):
    """Everything a customer is shown, frozen: introduction, fields, privacy text and consent
    texts. Kept for ever (as long as a document may point at it); the hash proves the text."""

    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("salon_form.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))  # of the whole content, canonical JSON
    privacy_sha256: Mapped[str] = mapped_column(String(64))  # of the privacy text alone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)

    @property
    def health_fields(self) -> list[str]:
        return [f["key"] for f in self.content.get("fields", []) if f.get("health")]


class TabletSession(TenantMixin, db.Model):
    """One hand-over of the tablet: which form version is shown to whom, handed over by whom.
    The browser holds only its id in the signed session cookie; the row says whether it is
    still open (idle five minutes or signed: closed)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("salon_form.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), nullable=True, index=True
    )
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"), nullable=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("login.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5), default="de")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("signed_document.id", ondelete="SET NULL"), nullable=True
    )


class SignedDocument(TenantMixin, db.Model):
    """The proof: answers, the version shown (and so its privacy and consent texts), what was
    ticked, the signature as SVG and strokes, when, where from, handed over by whom; the PDF
    and its SHA-256. Deleted with the customer."""

    __table_args__ = (Index("ix_signed_document_customer_signed", "customer_id", "signed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("salon_form.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"), nullable=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    consents: Mapped[dict] = mapped_column(JSON, default=dict)  # {"email": true, "health": true, ...}
    signature_svg: Mapped[str] = mapped_column(Text)
    signature_strokes: Mapped[list] = mapped_column(JSON)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(45), default="")
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    # Art. 9: the health answers as one line (for the optional export column); emptied, and the
    # answers hidden, when the customer withdraws the health-data consent.
    health_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    health_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    form: Mapped[SalonForm] = relationship(lazy="joined")
    version: Mapped[FormVersion] = relationship(lazy="joined")
