"""Message settings of a location and a customer's message options (staff only)."""

from __future__ import annotations

from portal.audit import Actor, assign, field_changes, record
from portal.messaging.eligibility import messaging_settings
from portal.models import Customer, Location


def save_settings(actor: Actor, location: Location, values: dict) -> bool:
    changes = assign(messaging_settings(location), values)
    if changes:
        record(
            actor,
            "setting",
            "updated",
            "messaging_settings",
            location.id,
            field_changes(changes),
            summary=location.name,
        )
    return bool(changes)


def save_options(actor: Actor, customer: Customer, reminders_off: bool, guardian_consent: bool) -> bool:
    """No reminders (only staff may switch them off) and a guardian's consent for a minor."""
    changes = assign(customer, {"reminders_off": reminders_off, "guardian_consent": guardian_consent})
    if changes:
        record(
            actor,
            "customer",
            "updated",
            "customer",
            customer.id,
            field_changes(changes),
            customer_id=customer.id,
            summary=customer.full_name,
        )
    return bool(changes)
