"""Privacy settings: per location (requests, marketing, notification, controller, DPO,
extensions) and per salon (retention, trade-secret fields). Every save writes
one settings-history event with the fields that changed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select

from portal.audit import Actor, assign, field_changes, record
from portal.extensions import db
from portal.models import Account, CustomerFieldDefinition, Location, PrivacySettings
from portal.models.base import utcnow
from portal.retention.service import count_due, due_query, next_run_date
from portal.tenancy import scoped
from portal.transaction import transaction

LOCATION_SECTIONS = {
    "requests": ("requests_mode",),
    "marketing": ("marketing_enabled",),
    "notification": ("notification_email",),
    "controller": (
        "controller_name",
        "controller_street",
        "controller_postal_code",
        "controller_city",
        "controller_email",
        "controller_phone",
        "authority_code",
    ),
    "dpo": ("dpo_name", "dpo_email", "dpo_phone", "dpo_address"),
    "extensions": ("extensions",),
}
ACCOUNT_SECTIONS = ("retention", "trade_secrets")


class SettingsError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def settings_for(location: Location) -> PrivacySettings:
    """The location's settings (they come with the location: `portal.models`)."""
    return db.session.scalars(_SETTINGS, {"location_id": location.id}).one()


# Read on every visit of the overview, per location: built once.
_SETTINGS = select(PrivacySettings).where(PrivacySettings.location_id == bindparam("location_id"))


@transaction
def save_location_section(actor: Actor, location: Location, section: str, values: dict) -> bool:
    """Store one section; returns whether anything changed (then one event was written)."""
    changes = assign(settings_for(location), {name: values[name] for name in LOCATION_SECTIONS[section]})
    if changes:
        record(
            actor, "setting", "updated", "privacy_settings", location.id, field_changes(changes), summary=location.name
        )
    return bool(changes)


@transaction
def save_retention(actor: Actor, account: Account, retention_months: int | None, window: int) -> bool:
    switching_on = bool(retention_months and not account.retention_months)
    changes = assign(account, {"retention_months": retention_months, "marketing_window_months": window})
    if changes:
        if switching_on:
            account.retention_since = utcnow()  # the first run is in the following night
        record(actor, "setting", "updated", "account", account.id, field_changes(changes), summary=account.name)
    return bool(changes)


@transaction
def save_trade_secrets(actor: Actor, account_id: int, secret_ids: set[int]) -> int:
    """Flag exactly these custom fields as trade secrets; one event per field that changed.
    An id that is not one of this salon's fields is refused (nothing changes)."""
    definitions = {
        d.id: d
        for d in db.session.scalars(
            select(CustomerFieldDefinition).where(CustomerFieldDefinition.account_id == account_id)
        )
    }
    if not secret_ids <= set(definitions):
        raise SettingsError("unknown-field")
    changed = 0
    for definition in definitions.values():
        flag = definition.id in secret_ids
        if definition.is_trade_secret != flag:
            record(
                actor,
                "setting",
                "updated",
                "customer_field",
                definition.id,
                field_changes({"is_trade_secret": (definition.is_trade_secret, flag)}),
                summary=definition.label,
            )
            definition.is_trade_secret = flag
            changed += 1
    return changed


def overview_page(account: Account) -> dict:
    """Settings > Privacy: each location with what its checks flag."""
    from portal.privacy.checks import privacy_checks, salon_facts  # checks reads the settings here

    locations = db.session.scalars(scoped(Location, account.id).order_by(Location.id)).all()
    facts = salon_facts(account)
    return {"locations": locations, "checks": {loc.id: privacy_checks(account, loc, facts) for loc in locations}}


def retention_summary(account: Account) -> dict | None:
    """For the storage-period section: when the next run is and how many it would forget."""
    if not account.retention_months:
        return None
    return {"due": count_due(account), "next_run": next_run_date(account)}


def forgetting_to_confirm(account: Account, months: int | None) -> dict | None:
    """Switching automatic forgetting on, or shortening its period, makes customers due who were
    not: how many, and the night of the run that forgets them. None when nobody more is due."""
    if not months or (account.retention_months and months >= account.retention_months):
        return None
    today = account.today()
    due = db.session.scalar(select(func.count()).select_from(due_query(account, today, months).subquery()))
    if not due:
        return None
    run = next_run_date(account) if account.retention_months else today + timedelta(days=1)
    return {"due": due, "night_of": run}
