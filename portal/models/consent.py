"""Marketing consent: the texts customers agree to, each customer's current state per channel,
and the log that proves every change (Art. 7(1) GDPR)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class ConsentStatus(StrEnum):
    NONE = "none"
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class ConsentText(TenantMixin, db.Model):
    """A version of the text a customer consents to; the log stores its version and hash."""

    __table_args__ = (UniqueConstraint("account_id", "channel", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    version: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Consent(TenantMixin, db.Model):
    """The current state of one consent of one customer (per channel)."""

    __table_args__ = (UniqueConstraint("customer_id", "channel"),)
    CHANNELS = ("email", "sms", "photo")

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=ConsentStatus.NONE)
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
    # An imported consent (method "import"): the old system's name and the day the customer gave
    # it there, if the file says; no text version, since what they agreed to is not known.
    source: Mapped[str] = mapped_column(String(60), default="", server_default="")
    given_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Given on the tablet (method "signed_form"): the signed document that proves it.
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("signed_document.id", ondelete="SET NULL"), nullable=True
    )
