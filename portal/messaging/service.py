"""Marketing's pages: message settings of each location, composing campaigns, and a customer's
message options (staff only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit import Actor, assign, field_changes, record
from portal.extensions import db
from portal.mail import queue_email
from portal.messaging import automations, campaigns, consent, consent_requests
from portal.messaging.eligibility import messaging_settings
from portal.models import (
    Account,
    BonusProgram,
    Campaign,
    CampaignStatus,
    Customer,
    Location,
    PrivacySettings,
    Service,
)
from portal.tenancy import scoped
from portal.transaction import transaction


@transaction
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


@transaction
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


def marketing_page(account_id: int) -> dict:
    """The newest campaigns, and each location with its message settings."""
    locations = db.session.scalars(scoped(Location, account_id).order_by(Location.id)).all()
    return {
        "campaigns": db.session.scalars(
            scoped(Campaign, account_id).order_by(Campaign.created_at.desc()).limit(50)
        ).all(),
        "settings": [(location, messaging_settings(location)) for location in locations],
        "consent_waiting": consent_requests.waiting(account_id),
        "consent_waiting_again": consent_requests.waiting(account_id, again=True),
        # Locations where marketing is switched off (Settings > Privacy > Marketing).
        "marketing_off": [
            location
            for location in locations
            if not db.session.scalars(
                select(PrivacySettings.marketing_enabled).where(PrivacySettings.location_id == location.id)
            ).one()
        ],
    }


def locations(account_id: int) -> list[tuple[int, str]]:
    return [(loc.id, loc.name) for loc in db.session.scalars(scoped(Location, account_id).order_by(Location.id))]


@transaction
def create_campaign(
    actor: Actor, location: Location, kind: str, channel: str, subject: str, body: str, filters: dict | None = None
) -> Campaign:
    """A draft, checked (campaigns.CampaignError when it could not be sent)."""
    campaign = Campaign(account_id=actor.account_id, created_by_id=actor.login_id, status=CampaignStatus.DRAFT)
    campaigns.save(actor, campaign, location, kind, channel, subject, body, filters)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def campaign_page(campaign: Campaign, today: date) -> dict:
    """The campaign's location and, for a draft or a sent marketing campaign, who may receive it
    (a consent request has no such preview: it goes to those not asked yet)."""
    location = db.session.get(Location, campaign.location_id)
    account = db.session.get(Account, campaign.account_id)
    preview = None
    if campaign.kind not in consent_requests.KINDS:
        preview = campaigns.preview(campaign, today)
    subject, text = campaigns.sample(campaign, account)
    return {"location": location, "preview": preview, "sample_subject": subject, "sample_text": text}


@transaction
def record_consent(actor: Actor, customer: Customer, channel: str, status: str, method: str) -> bool:
    """Staff record what the customer said or signed; ValueError for an unknown choice."""
    if channel not in consent.CHANNELS:
        raise ValueError("unknown channel")
    account = db.session.get(Account, customer.account_id)
    if method == "pre_gdpr":  # an approval from before 25.05.2018: no text proves it
        return consent.set_consent(actor, customer, channel, "granted", "pre_gdpr")
    text = consent.current_text(account.id, channel, account.name) if status == "granted" else None
    return consent.set_consent(
        actor, customer, channel, status, method if method in ("oral", "signed_form") else "oral", text
    )


@transaction
def send_test_mail(actor: Actor, campaign: Campaign, login) -> None:
    """ "Testmail an mich": the message as a customer reads it, to the acting login only."""
    account = db.session.get(Account, campaign.account_id)
    subject, text = campaigns.sample(campaign, account)
    queue_email(
        account.id,
        login.email,
        "campaign_test",
        {"sample_subject": subject, "sample_text": text},
        locale=login.locale,
        login_id=login.id,
    )


def automations_by_location(account_id: int) -> list[tuple[Location, list]]:
    return [
        (location, automations.for_location(location))
        for location in db.session.scalars(scoped(Location, account_id).order_by(Location.id))
    ]


def audience_choices(account_id: int) -> dict:
    """The services and bonus programs a campaign's audience can be narrowed to."""
    return {
        "services": [(s.id, s.name) for s in db.session.scalars(scoped(Service, account_id).order_by(Service.name))],
        "programs": [
            (p.id, p.name) for p in db.session.scalars(scoped(BonusProgram, account_id).order_by(BonusProgram.name))
        ],
    }


@transaction
def save_consent_text(actor: Actor, account: Account, channel: str, body: str):
    return consent.save_text(actor, account, channel, body)


def consent_texts(account: Account) -> list[tuple[str, str, list]]:
    """(channel, the text in force, its versions newest first) — the default text while none
    was saved (shown, not stored: a page only reads)."""
    result = []
    for channel in consent.CHANNELS:
        versions = consent.text_versions(account.id, channel)
        result.append(
            (channel, versions[0].text if versions else consent.default_text(channel, account.name), versions)
        )
    return result
