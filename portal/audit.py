"""Recording audit events. Services call `record` inside their own transaction, so history
cannot diverge from data: a rolled-back change leaves no event, a committed one always has one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert

from portal.extensions import db
from portal.models import AuditEvent
from portal.models.base import utcnow


@dataclass(frozen=True)
class Actor:
    """Who acts: the login, the employee a PIN identified, and where the request came from."""

    account_id: int
    login_id: int | None
    employee_id: int | None = None
    ip: str = ""
    request_id: str = ""
    user_agent: str = ""

    def with_employee(self, employee_id: int | None) -> Actor:
        return Actor(self.account_id, self.login_id, employee_id, self.ip, self.request_id, self.user_agent)


def json_value(value):
    """Values as stored in an event: JSON-safe and stable."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_changes(changes: dict[str, tuple], labels: dict[str, str] | None = None) -> dict:
    """{field: (old, new)} -> the event's field-level before/after, with a label where the
    field's name alone would not say what it is (custom fields)."""
    labels = labels or {}
    result = {}
    for name, (old, new) in changes.items():
        entry = {"old": json_value(old), "new": json_value(new)}
        if name in labels:
            entry["label"] = labels[name]
        result[name] = entry
    return result


def assign(obj, values: dict) -> dict[str, tuple]:
    """Set the given attributes; returns {name: (old, new)} of those that really changed."""
    changes = {name: (getattr(obj, name), value) for name, value in values.items() if getattr(obj, name) != value}
    for name, (_old, value) in changes.items():
        setattr(obj, name, value)
    return changes


def event_values(
    actor: Actor,
    category: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    changes: dict | None = None,
    customer_id: int | None = None,
    summary: str = "",
) -> dict:
    """The columns of one event, attributed to the actor (for `record`, and for set-based
    operations that insert many events in one statement with `record_many`)."""
    return {
        "account_id": actor.account_id,
        "category": category,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "customer_id": customer_id,
        "actor_login_id": actor.login_id,
        "employee_id": actor.employee_id,
        "changes": changes or {},
        "summary": summary[:200],
        "request_id": actor.request_id,
        "ip": actor.ip[:45],
        "user_agent": actor.user_agent[:300],
    }


# The salons whose settings changed in this transaction (`portal.accountability.processing`).
SETTINGS_CHANGED = "settings_changed"


def record(
    actor: Actor,
    category: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    changes: dict | None = None,
    customer_id: int | None = None,
    summary: str = "",
) -> AuditEvent:
    event = AuditEvent(**event_values(actor, category, action, entity_type, entity_id, changes, customer_id, summary))
    db.session.add(event)
    if category == "setting":  # the record of processing is generated from the settings
        db.session.info.setdefault(SETTINGS_CHANGED, set()).add(actor.account_id)
    return event


def record_many(events: list[dict]) -> None:
    """Insert many events (built with `event_values`) in one statement."""
    if events:  # one executemany on the connection, without the ORM's per-row bookkeeping
        now = utcnow()
        db.session.connection().execute(insert(AuditEvent.__table__), [{"occurred_at": now, **v} for v in events])
