"""Bulk customer exports: the wizard's state, and the file kept in chunks in the database so
that web and worker processes on different machines share it and memory stays constant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class ExportStatus(StrEnum):
    """draft -> awaiting_confirmation -> queued -> running -> finished -> downloaded, and the
    dead ends: locked (5 wrong passwords), expired, failed, withdrawn (a customer in it was erased)."""

    DRAFT = "draft"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    DOWNLOADED = "downloaded"
    LOCKED = "locked"
    EXPIRED = "expired"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


# Still on its way: the page polls for progress.
ACTIVE_STATUSES = (ExportStatus.AWAITING_CONFIRMATION, ExportStatus.QUEUED, ExportStatus.RUNNING)
# The file has been written (it may be gone again since).
WRITTEN_STATUSES = (ExportStatus.FINISHED, ExportStatus.DOWNLOADED)


class CustomerExport(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("login.id"))
    recipient_login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id"), nullable=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    file_format: Mapped[str] = mapped_column(String(10), default="csv")  # csv, csv_de, xlsx
    # Off by default: the link works once and the file is deleted after the download. On: the
    # recipient may download again until the link expires; the file is deleted then.
    repeat_downloads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    download_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(30), default=ExportStatus.DRAFT)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords
    runs: Mapped[int] = mapped_column(Integer, default=0)  # job attempts (a killed worker is retried)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(120), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str] = mapped_column(String(200), default="")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def was_written(self) -> bool:
        return self.status in WRITTEN_STATUSES


class ExportChunk(db.Model):
    """One piece (about 1 MiB) of an export file, in order. Handed over as it is: PostgreSQL
    compresses it with lz4 (migration 5d2f0c9a7b41); zlib in the worker cost the export as much
    time as reading the customers."""

    # A run that stalled and a later run of the same export can never both store a piece.
    __table_args__ = (UniqueConstraint("export_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("customer_export.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
