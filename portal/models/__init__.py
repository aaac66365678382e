"""Typed SQLAlchemy models, one module per aggregate."""

from sqlalchemy import event, insert, select

from portal.extensions import db
from portal.models.account import Account, Location
from portal.models.audit import AppendOnlyViolation, AuditEvent, LoginHistoryExport, StoredFile
from portal.models.auth import Employee, Login, LoginSession, RecoveryCode
from portal.models.business import (
    Appointment,
    AppointmentStatus,
    BonusProgram,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePayment,
    LineKind,
    PaymentMethod,
    Service,
    StampCard,
    StampEntry,
    Voucher,
    VoucherEntry,
    VoucherEntryKind,
)
from portal.models.consent import Consent, ConsentLog, ConsentStatus, ConsentText
from portal.models.customer import Customer, CustomerFieldDefinition, CustomerFieldValue, CustomerGram
from portal.models.exports import CustomerExport, ExportChunk, ExportStatus
from portal.models.forms import (
    FormInterval,
    FormKind,
    FormVersion,
    SalonForm,
    SignedDocument,
    TabletSession,
    form_service,
)
from portal.models.imports import (
    CustomerImport,
    DuplicateAction,
    ImportBlob,
    ImportDuplicate,
    ImportIssue,
    ImportStatus,
    ImportUpdate,
)
from portal.models.mail import EmailToken, MailStatus, OutboundEmail
from portal.models.messaging import (
    Automation,
    AutomationKind,
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    MessagingSettings,
)
from portal.models.privacy import PrivacySettings, RequestsMode
from portal.models.records import (
    Breach,
    BreachNotice,
    ConfidentialityCommitment,
    ErasureSystemCheck,
    EvidencePack,
    Processor,
    RecordEntry,
    RecordRetention,
    RecordVersion,
    SalonMeasure,
)
from portal.models.requests import PrivacyRequest, RequestStatus
from portal.models.retention import CustomerHold, RetentionRun, RunStatus


@event.listens_for(Location, "after_insert")
def _settings_come_with_the_location(_mapper, connection, location: Location) -> None:
    """Every location has its privacy and message settings from its creation (the migration
    c5d1e8f2a4b6 filled them in for older ones): pages only read them, a GET never writes."""
    account_name = connection.scalar(select(Account.name).where(Account.id == location.account_id))
    connection.execute(insert(PrivacySettings).values(**PrivacySettings.defaults_for(location, account_name)))
    connection.execute(insert(MessagingSettings).values(account_id=location.account_id, location_id=location.id))


def _ids_never_reused() -> None:
    """AUTOINCREMENT on SQLite for every table with an integer id (migration a7e3c2d1f9b8): an
    erased customer's number must never go to the next one. PostgreSQL's sequences never reuse."""
    for table in db.metadata.tables.values():
        if [c.name for c in table.primary_key.columns] == ["id"]:
            table.dialect_kwargs["sqlite_autoincrement"] = True


_ids_never_reused()

__all__ = [
    "FormInterval",
    "FormKind",
    "FormVersion",
    "SalonForm",
    "SignedDocument",
    "TabletSession",
    "form_service",
    "ConfidentialityCommitment",
    "SalonMeasure",
    "Processor",
    "Breach",
    "EvidencePack",
    "RecordEntry",
    "RecordVersion",
    "BreachNotice",
    "ErasureSystemCheck",
    "RecordRetention",
    "Automation",
    "AutomationKind",
    "CustomerImport",
    "DuplicateAction",
    "ImportBlob",
    "ImportDuplicate",
    "ImportIssue",
    "ImportStatus",
    "ImportUpdate",
    "RequestsMode",
    "ExportStatus",
    "RunStatus",
    "CampaignStatus",
    "ConsentStatus",
    "MailStatus",
    "MessageStatus",
    "RequestStatus",
    "Campaign",
    "ConsentText",
    "Message",
    "MessagingSettings",
    "AppendOnlyViolation",
    "AuditEvent",
    "LoginHistoryExport",
    "StoredFile",
    "Account",
    "Appointment",
    "AppointmentStatus",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoicePayment",
    "LineKind",
    "PaymentMethod",
    "StampEntry",
    "VoucherEntry",
    "VoucherEntryKind",
    "BonusProgram",
    "Consent",
    "ConsentLog",
    "Customer",
    "CustomerGram",
    "CustomerExport",
    "CustomerHold",
    "ExportChunk",
    "CustomerFieldDefinition",
    "CustomerFieldValue",
    "EmailToken",
    "Employee",
    "Invoice",
    "InvoiceLine",
    "Location",
    "Login",
    "LoginSession",
    "OutboundEmail",
    "PrivacyRequest",
    "PrivacySettings",
    "RecoveryCode",
    "RetentionRun",
    "Service",
    "StampCard",
    "Voucher",
]
