"""Marketingeinwilligung: ask customers with an email but no recorded consent to confirm their
marketing consent (double opt-in). A worker sends the mails in batches, as a campaign of its own
kind, so the page shows progress, the request never holds up the web server, and recovery
picks a lost run up like any campaign's. Each customer is asked once: a Message row, unique
per campaign and customer, is claimed before the mail, and nobody already asked is asked again."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from portal import tokens
from portal.audit import Actor
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.messaging.consent import current_text
from portal.messaging.sending import hand_to_worker
from portal.models import Account, Campaign, CampaignStatus, Consent, Customer, Location, Message, MessageStatus
from portal.models.base import utcnow
from portal.tenancy import scoped
from portal.transaction import transaction

KIND = "consent_request"
PURPOSE = "consent-confirm"
LINK_DAYS = 30
BATCH = 200


class NobodyToAsk(Exception):
    pass


class CountNotConfirmed(Exception):
    def __init__(self, waiting: int):
        super().__init__("not confirmed")
        self.waiting = waiting


def _candidates(account_id: int):
    """Customers with an email, not restricted, no email consent recorded, never asked before."""
    recorded = select(Consent.customer_id).where(Consent.channel == "email")
    asked = select(Message.customer_id).where(Message.account_id == account_id, Message.kind == KIND)
    return scoped(Customer, account_id).where(
        Customer.email.is_not(None),
        Customer.restricted_at.is_(None),
        Customer.id.not_in(recorded),
        Customer.id.not_in(asked.where(Message.customer_id.is_not(None))),
    )


def waiting(account_id: int) -> int:
    """How many customers a consent request would ask now."""
    return db.session.scalar(select(func.count()).select_from(_candidates(account_id).subquery()))


@transaction
def start(actor: Actor, account: Account, confirmed: str | None) -> Campaign:
    """Ask everyone waiting; `confirmed` is the number the sender was shown and agreed to."""
    total = waiting(account.id)
    if not total:
        raise NobodyToAsk()
    if (confirmed or "").strip() != str(total):
        raise CountNotConfirmed(total)
    text = current_text(account.id, "email", account.name)
    location_id = db.session.scalar(scoped(Location, account.id).with_only_columns(Location.id).order_by(Location.id))
    campaign = Campaign(
        account_id=account.id,
        location_id=location_id,
        kind=KIND,
        channel="email",
        body=text.text,
        created_by_id=actor.login_id,
    )
    db.session.add(campaign)
    db.session.flush()
    hand_to_worker(actor, campaign, total)
    return campaign


def send(campaign: Campaign) -> str:
    """The job's work (from `campaigns.send_campaign`): batch by batch, committed each time."""
    account = db.session.get(Account, campaign.account_id)
    text = current_text(account.id, "email", account.name)
    while True:
        customers = db.session.scalars(_candidates(account.id).order_by(Customer.id).limit(BATCH)).all()
        if not customers:
            break
        db.session.execute(
            insert(Message),
            [
                {
                    "account_id": account.id,
                    "customer_id": c.id,
                    "kind": KIND,
                    "channel": "email",
                    "status": MessageStatus.SENT,  # handed to the mail queue in this transaction
                    "campaign_id": campaign.id,
                    "created_at": utcnow(),
                    "sent_at": utcnow(),
                }
                for c in customers
            ],
        )
        for customer in customers:
            token = tokens.issue(
                account.id, PURPOSE, {"customer_id": customer.id, "text_id": text.id}, hours=24 * LINK_DAYS
            )
            queue_email(
                account.id,
                customer.email,
                "consent_request",
                {
                    "salon": account.name,
                    "name": customer.first_name,
                    "text": text.text,
                    "link": external_url("messaging.confirm_consent", token=tokens.link_value(token)),
                },
            )
        campaign.sent += len(customers)
        db.session.commit()
    campaign.status = CampaignStatus.SENT
    db.session.commit()
    return "sent"
