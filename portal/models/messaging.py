"""Customer messages: campaigns, and every message sent or suppressed (the customer's message
history), and the messaging settings of a location."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"  # an SMS the provider reported as delivered
    SUPPRESSED = "suppressed"
    FAILED = "failed"


class Campaign(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    kind: Mapped[str] = mapped_column(String(20))  # newsletter, birthday, review
    channel: Mapped[str] = mapped_column(String(10))  # email, sms
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When it was handed to the worker: a job lost after that is enqueued again (`recovery`).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    # Scheduled: started by the five-minute job at this moment (UTC; entered in the salon's zone).
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The audience narrowed beyond eligibility (`eligibility.FILTERS`), e.g. {"active_months": 12}.
    filters: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")


class Message(TenantMixin, db.Model):
    """One message to one customer on one channel: sent, suppressed (with the reason) or failed.
    Unique per campaign/appointment, customer, kind, channel and occasion (an appointment moved
    twice has two updates; a confirmation has one): a retry never sends twice."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id", "channel"),
        UniqueConstraint("appointment_id", "kind", "channel", "occasion"),
        # An automation greets a customer once per occasion (a birthday's year, a visit, a stretch
        # without activity): a job run twice, or by two cron processes, sends nobody twice.
        UniqueConstraint("automation_id", "customer_id", "occasion"),
        Index("ix_message_customer", "customer_id", "created_at"),
        Index("ix_message_provider", "provider_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=MessageStatus.QUEUED)
    reason: Mapped[str] = mapped_column(String(60), default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), nullable=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"), nullable=True)
    automation_id: Mapped[int | None] = mapped_column(
        ForeignKey("automation.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # What the message is about beyond its kind: for a move, the new start (ISO); for an
    # automation, its occasion ("2026" for a birthday, "visit-123", "quiet-2026-05-02"); else "".
    occasion: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The SMS provider's id of the message: its delivery report names it (`messaging.webhooks`).
    provider_id: Mapped[str] = mapped_column(String(64), default="", server_default="")


class MessagingSettings(TenantMixin, db.Model):
    """Per location: reminders and how review requests and § 7(3) UWG are treated."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), unique=True)
    reminder_hours: Mapped[int] = mapped_column(Integer, default=24)
    # The seeds disagree: one treats review requests as marketing, the other not. The salon decides.
    review_is_marketing: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    # Email to existing customers for own similar services without consent (§ 7(3) UWG).
    existing_customer_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The location's own texts of appointment messages, {kind: {"subject": …, "body": …}};
    # a kind not here uses the portal's text (`messaging.appointment_texts`).
    texts: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")


class AutomationKind(StrEnum):
    BIRTHDAY = "birthday"
    REVIEW = "review"
    WE_MISS_YOU = "we_miss_you"


class Automation(TenantMixin, db.Model):
    """A message that runs itself, per location and kind, with its own text: a birthday greeting
    at a set hour, a review request some hours after an attended visit, a "we miss you" after
    months without activity."""

    __table_args__ = (UniqueConstraint("location_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    channel: Mapped[str] = mapped_column(String(10), default="email")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    send_hour: Mapped[int] = mapped_column(Integer, default=9)  # the salon's local hour (birthday, we miss you)
    delay_hours: Mapped[int] = mapped_column(Integer, default=3)  # review: after the visit ended
    period_days: Mapped[int] = mapped_column(Integer, default=90)  # review: at most once per customer in it
    months: Mapped[int] = mapped_column(Integer, default=6)  # we miss you: months without activity
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
