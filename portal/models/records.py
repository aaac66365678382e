"""The salon's accountability records: its choices in the portal's own retention plan
(Löschkonzept), its own technical and organisational measures (TOM, Art. 32 GDPR), and its
processors (Art. 28) with the Art. 19 tick-off on each erasure request."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class Breach(TenantMixin, db.Model):
    """A personal data breach (Art. 33/34 GDPR), documented whether notified or not (Art. 33(5)).
    The 72-hour clock starts when the salon became aware of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[str] = mapped_column(Text)
    people_affected: Mapped[int] = mapped_column(Integer)  # approximately
    records_affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Reminder steps sent to the owners ("24h", "48h", "64h", "72h"), each once.
    reminders: Mapped[list] = mapped_column(JSON, default=list)
    # Art. 33: notified to the authority (with the reason when after 72 hours), or why not.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("login.id", ondelete="SET NULL"), nullable=True)
    authority_reference: Mapped[str] = mapped_column(String(200), default="")
    late_reason: Mapped[str] = mapped_column(Text, default="")
    not_notified_reason: Mapped[str] = mapped_column(Text, default="")
    # Art. 34: whether the people must be told, why, and the message sent to them.
    inform_people: Mapped[str] = mapped_column(String(10), default="")  # "", yes, no
    inform_reasoning: Mapped[str] = mapped_column(Text, default="")
    notice_subject: Mapped[str] = mapped_column(String(200), default="")
    notice_body: Mapped[str] = mapped_column(Text, default="")
    notice_filters: Mapped[dict] = mapped_column(JSON, default=dict)
    notice_status: Mapped[str] = mapped_column(String(20), default="")  # "", sending, sent
    notice_total: Mapped[int] = mapped_column(Integer, default=0)
    notice_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BreachNotice(TenantMixin, db.Model):
    """One customer told of a breach (Art. 34): the row makes sure nobody is told twice."""

    __table_args__ = (UniqueConstraint("breach_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breach.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecordEntry(TenantMixin, db.Model):
    """The salon's own part of the record of processing activities (Art. 30(1) GDPR): a note on
    one of the generated activities (`generated` names it), or an activity the portal does not
    know (a paper appointment book, the website's contact form)."""

    __table_args__ = (UniqueConstraint("account_id", "generated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    generated: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    data_subjects: Mapped[str] = mapped_column(String(500), default="")
    data_categories: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[str] = mapped_column(String(500), default="")
    retention: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecordVersion(TenantMixin, db.Model):
    """One version of the generated record: a new one whenever what it is generated from changed
    (the content as data, the texts added when it is shown, in either language)."""

    __table_args__ = (UniqueConstraint("account_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvidencePack(TenantMixin, db.Model):
    """An evidence pack asked for by an owner: built step by step by a job, then a stored ZIP."""

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("login.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, building, done, failed
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    steps_total: Mapped[int] = mapped_column(Integer, default=0)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
