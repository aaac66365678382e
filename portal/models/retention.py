"""Automatic forgetting: the scheduled runs and the holds that keep a customer from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"


class RetentionRun(TenantMixin, db.Model):
    """One scheduled run. Unique per salon and due date: two schedulers cannot both start it."""

    __table_args__ = (UniqueConstraint("account_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    cutoff_on: Mapped[date] = mapped_column(Date)  # activity before this day makes a customer due
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    worker: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    forgotten: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)


class CustomerHold(TenantMixin, db.Model):
    """Staff keep a customer from automatic forgetting until a date, for a reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    until: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
