"""Account-wide settings (Einstellungen > Konto); every change goes to the settings history."""

from __future__ import annotations

from portal.history.audit import Actor, field_changes, record
from portal.models import Account


def set_pin_required(actor: Actor, account: Account, required: bool) -> bool:
    """Switch the Mitarbeiter-PIN on or off; returns whether anything changed."""
    if bool(account.pin_required) == required:
        return False
    record(actor, "setting", "updated", "account", account.id,
           field_changes({"pin_required": (bool(account.pin_required), required)}), summary=account.name)
    account.pin_required = required
    return True
