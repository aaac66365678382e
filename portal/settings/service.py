"""Account-wide settings (Einstellungen > Konto); every change goes to the settings history."""

from __future__ import annotations

from portal.audit import Actor, assign, field_changes, record
from portal.models import Account, Location
from portal.privacy.authorities import BY_CODE
from portal.transaction import transaction


@transaction
def save_account(actor: Actor, account: Account, pin_required: bool, two_factor_required: bool | None) -> bool:
    """Settings > Account; `two_factor_required` None when the acting login may not decide it."""
    changed = set_pin_required(actor, account, pin_required)
    if two_factor_required is not None:
        changed |= set_two_factor_required(actor, account, two_factor_required)
    return changed


def set_pin_required(actor: Actor, account: Account, required: bool) -> bool:
    """Switch the Mitarbeiter-PIN on or off; returns whether anything changed."""
    if bool(account.pin_required) == required:
        return False
    record(
        actor,
        "setting",
        "updated",
        "account",
        account.id,
        field_changes({"pin_required": (bool(account.pin_required), required)}),
        summary=account.name,
    )
    account.pin_required = required
    return True


def set_two_factor_required(actor: Actor, account: Account, required: bool) -> bool:
    """The owner's switch: owners and administrators with the export grant must use two-factor
    login (those without it are led to its setup at their next request)."""
    if bool(account.two_factor_required) == required:
        return False
    record(
        actor,
        "setting",
        "updated",
        "account",
        account.id,
        field_changes({"two_factor_required": (bool(account.two_factor_required), required)}),
        summary=account.name,
    )
    account.two_factor_required = required
    return True


LOCATION_FIELDS = ("name", "street", "postal_code", "city", "phone", "email", "state", "tax_id")


class LocationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction
def save_location(actor: Actor, location: Location, values: dict) -> bool:
    """The location's address, state (holidays in deadlines, the competent authority) and tax
    number as invoices print them; one settings-history entry with the diff."""
    if values.get("state") not in BY_CODE:
        raise LocationError("state")
    if not (values.get("name") or "").strip():
        raise LocationError("name")
    changes = assign(location, {name: (values.get(name) or "").strip() for name in LOCATION_FIELDS})
    if changes:
        record(actor, "setting", "updated", "location", location.id, field_changes(changes), summary=location.name)
    return bool(changes)
