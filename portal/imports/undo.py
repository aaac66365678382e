"""Undo an import within seven days: the customers it created that nobody has touched since
(no appointment, invoice, voucher, bonus card, request, hold, message, change or consent) are
removed — with the history entries naming them redacted, as an erasure does — and the
customers it updated get their old values back unless they were changed since. What cannot be
undone is listed, never forced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, or_, select

from portal import activity
from portal.audit import Actor
from portal.customers.service import STANDARD_FIELDS, apply_changes, record_change
from portal.extensions import db
from portal.imports.events import import_event
from portal.messaging.consent import consent_status
from portal.models import (
    Appointment,
    AuditEvent,
    Consent,
    ConsentLog,
    Customer,
    CustomerHold,
    CustomerImport,
    ImportStatus,
    ImportUpdate,
    Invoice,
    Message,
    PrivacyRequest,
    StampCard,
    Voucher,
)
from portal.models.base import utcnow
from portal.requests.erasure import redact_history
from portal.transaction import transaction

UNDO_DAYS = 7
# Entries that are no change: looking at a file, and the import's own entries.
NOT_A_CHANGE = ("viewed", "import_updated")
# What the import sets on an existing customer besides the file's values.
ORIGIN_FIELDS = frozenset({"imported_at", "import_source", "legacy_number", "legacy_last_visit_on"})


class UndoError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def undo_until(imp: CustomerImport):
    return imp.finished_at + timedelta(days=UNDO_DAYS) if imp.finished_at else None


def can_undo(imp: CustomerImport) -> bool:
    return imp.status == ImportStatus.FINISHED and utcnow() < undo_until(imp)


@dataclass
class UndoPlan:
    removable: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # created by the import, touched since
    revertible: list[ImportUpdate] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)  # updated by the import, changed since


# Linked to a customer: the import's customer has been used since.
LINKED = (Appointment, Invoice, Voucher, StampCard, PrivacyRequest, CustomerHold, Message)


def _changed_since(imp: CustomerImport):
    """Anything the salon or the customer did with the file after the import finished."""
    return exists().where(
        AuditEvent.account_id == imp.account_id,
        AuditEvent.customer_id == Customer.id,
        AuditEvent.occurred_at > imp.finished_at,
        AuditEvent.action.not_in(NOT_A_CHANGE),
    )


def plan(imp: CustomerImport) -> UndoPlan:
    result = UndoPlan()
    touched = or_(_changed_since(imp), *(exists().where(model.customer_id == Customer.id) for model in LINKED))
    for customer_id, was_touched in db.session.execute(
        select(Customer.id, touched).where(Customer.account_id == imp.account_id, Customer.import_id == imp.id)
    ):
        (result.kept if was_touched else result.removable).append(customer_id)
    updates = db.session.scalars(
        select(ImportUpdate).where(ImportUpdate.import_id == imp.id).order_by(ImportUpdate.id.desc())
    ).all()
    changed = set(
        db.session.scalars(
            select(Customer.id).where(Customer.id.in_({u.customer_id for u in updates}), _changed_since(imp))
        )
    )
    result.revertible = [u for u in updates if u.customer_id not in changed]
    result.changed = sorted(changed)
    return result


@transaction
def undo(actor: Actor, imp: CustomerImport, confirmed: str) -> dict[str, int]:
    """`confirmed`: the number of customers to be removed, as the dialog showed it."""
    if not can_undo(imp):
        raise UndoError("too-late" if imp.status == ImportStatus.FINISHED else "not-finished")
    steps = plan(imp)
    if confirmed.strip() != str(len(steps.removable)):
        raise UndoError("count-changed")
    if steps.removable:
        redact_history(imp.account_id, steps.removable)
        db.session.execute(delete(ConsentLog).where(ConsentLog.customer_id.in_(steps.removable)))
        db.session.execute(
            delete(Customer).where(Customer.id.in_(steps.removable)).execution_options(synchronize_session=False)
        )
    reverted = {u.customer_id for u in steps.revertible}
    for update_ in steps.revertible:
        _revert(actor, imp, update_)
    activity.refresh(reverted)
    imp.status, imp.undone_at = ImportStatus.UNDONE, utcnow()
    counts = {
        "removed": len(steps.removable),
        "reverted": len(reverted),
        "kept": len(steps.kept) + len(steps.changed),
    }
    imp.counts = {**(imp.counts or {}), **counts, "kept_ids": (steps.kept + steps.changed)[:500]}
    import_event(imp, "import_undone", actor, **counts)
    return counts


def _revert(actor: Actor, imp: CustomerImport, update_: ImportUpdate) -> None:
    customer = db.session.get(Customer, update_.customer_id)
    before = {name: _typed(name, value) for name, value in update_.before.get("fields", {}).items()}
    data = {name: value for name, value in before.items() if name in STANDARD_FIELDS}
    custom = {int(name[7:]): value or "" for name, value in before.items() if name.startswith("custom:")}
    changes = apply_changes(customer, data, custom)
    for name in ORIGIN_FIELDS & set(before):
        value = before[name]
        if getattr(customer, name) != value:
            changes[name] = (getattr(customer, name), value)
            setattr(customer, name, value)
    status = consent_status(customer.id)
    for channel in update_.before.get("consents", []):
        if status.get(channel) == "granted":
            db.session.execute(delete(Consent).where(Consent.customer_id == customer.id, Consent.channel == channel))
            db.session.execute(
                delete(ConsentLog).where(
                    ConsentLog.customer_id == customer.id,
                    ConsentLog.channel == channel,
                    ConsentLog.method == "import",
                    ConsentLog.occurred_at >= imp.confirmed_at,
                )
            )
            changes[f"consent_{channel}"] = ("granted", "none")
    record_change(actor, customer, "import_reverted", changes)


def _typed(name: str, value):
    """A value as kept in JSON back to what the column holds."""
    if value is None:
        return None
    if name == "imported_at":
        return datetime.fromisoformat(value)
    if name in ("birthday", "legacy_last_visit_on"):
        return date.fromisoformat(value)
    return value
