"""Customer imports from the previous software: the wizard's state, the uploaded file (in the
database, like export files, so web and worker machines share it), the row report, the
duplicates with the salon's choice, and what an undo needs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import TenantMixin, UTCDateTime, utcnow


class ImportStatus(StrEnum):
    """uploaded -> (mapping saved) checking -> checked -> queued -> running -> finished -> undone,
    and the dead ends: failed (rolled back whole), discarded (the salon stopped the wizard or
    left it for a day)."""

    UPLOADED = "uploaded"
    CHECKING = "checking"
    CHECKED = "checked"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    UNDONE = "undone"
    DISCARDED = "discarded"


# The wizard can still go back and forth (nothing written yet).
OPEN_STATUSES = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.CHECKED)
# A job is on it: the page polls.
ACTIVE_STATUSES = (ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.RUNNING)


class DuplicateAction(StrEnum):
    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"


class CustomerImport(TenantMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.UPLOADED)
    # What the salon calls the old system ("Shore", "Excel"); stored on every imported customer.
    source_name: Mapped[str] = mapped_column(String(60), default="")
    file_format: Mapped[str] = mapped_column(String(10), default="csv")  # csv, xlsx
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    # As detected, and as the salon chose (CSV only).
    detected_encoding: Mapped[str] = mapped_column(String(20), default="")
    detected_delimiter: Mapped[str] = mapped_column(String(2), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(2), default="")
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # One target per column ("ignore", "last_name", "custom:3", "consent_email" …).
    mapping: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What happens to every duplicate the salon did not decide one by one.
    default_action: Mapped[str] = mapped_column(String(10), default=DuplicateAction.SKIP)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    # {"new": n, "updated": n, "skipped": n, "invalid": n} after the check, as imported after the run.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # The generation of the job at work: a new mapping, the confirmation and a retry each start
    # one (its job id names it), so a job of an older generation finds nothing to do.
    runs: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # import runs started (a killed worker's too)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The uploaded file and the checked rows hold personal data: gone once the import ended.
    file_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ImportBlob(db.Model):
    """A piece of the uploaded file (kind "file") or of the checked rows (kind "rows"), in order."""

    __table_args__ = (UniqueConstraint("import_id", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("customer_import.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportIssue(db.Model):
    """One problem of one row: where (row number in the file, column header) and what (a message
    code with its values, translated when shown) — never the cell's content."""

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("customer_import.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    header: Mapped[str] = mapped_column(String(120), default="")  # the column as the file names it
    code: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)


class ImportDuplicate(db.Model):
    """A row that looks like an existing customer (customer_id) or like an earlier row of the
    same file (other_row), and what the salon chose for it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("customer_import.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), nullable=True, index=True
    )
    other_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    matched_by: Mapped[str] = mapped_column(String(20))  # email, phone, name_birthday
    action: Mapped[str | None] = mapped_column(String(10), nullable=True)  # None: the default


class ImportUpdate(db.Model):
    """An existing customer the import changed, with the values before (for the undo within
    seven days; deleted after that, and with the customer)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("customer_import.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
