"""Typed SQLAlchemy models, one module per aggregate."""

from portal.models.account import Account, Location
from portal.models.audit import AppendOnlyViolation, AuditEvent, LoginHistoryExport, StoredFile
from portal.models.auth import Employee, Login, LoginSession
from portal.models.business import (
    Appointment,
    BonusProgram,
    Invoice,
    InvoiceLine,
    Service,
    StampCard,
    Voucher,
)
from portal.models.customer import Customer, CustomerFieldDefinition, CustomerFieldValue
from portal.models.messaging import EmailToken, OutboundEmail
from portal.models.privacy import PrivacySettings

__all__ = [
    "AppendOnlyViolation",
    "AuditEvent",
    "LoginHistoryExport",
    "StoredFile",
    "Account",
    "Appointment",
    "BonusProgram",
    "Customer",
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
    "PrivacySettings",
    "Service",
    "StampCard",
    "Voucher",
]
