"""Account-wide settings (Einstellungen > Konto); every change goes to the settings history."""

from __future__ import annotations

from portal.audit import Actor, assign, field_changes, record
from portal.models import Account, Location
from portal.privacy.authorities import BY_CODE
from portal.transaction import transaction


@transaction
def save_account(actor: Actor, account: Account, pin_required: bool, two_factor_required: bool | None) -> bool:
    """Settings > Account: the Mitarbeiter-PIN, and (the owner's decision alone, None for anyone
    else) two-factor login for owners and administrators with the export grant — those without
    it are led to its setup at their next request. One settings-history entry for what changed."""
    wanted = {"pin_required": pin_required}
    if two_factor_required is not None:
        wanted["two_factor_required"] = two_factor_required
    changes = {name: (bool(getattr(account, name)), value) for name, value in wanted.items()}
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if not changes:
        return False
    assign(account, {name: new for name, (_old, new) in changes.items()})
    record(actor, "setting", "updated", "account", account.id, field_changes(changes), summary=account.name)
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
