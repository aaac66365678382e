"""Marketingeinwilligung: ask customers to confirm by double opt-in a marketing approval they
gave before the GDPR applied (25.05.2018) and that nothing proves — imported with a day before
it, or recorded by staff as such. Only those: German courts have held an unsolicited email
asking for advertising consent to be advertising itself, so nobody without such an approval is
asked. Nothing while marketing is off. Each customer is asked once; those who did not answer
may be asked once more, at the earliest 30 days later. An unanswered request grants nothing
and changes nothing.

A worker sends the mails in batches, as a campaign of its own kind, so the page shows progress,
the request never holds up the web server, and recovery picks a lost run up like any
campaign's. A Message row per customer is claimed with the mail in one transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.orm import aliased

from portal import tokens
from portal.audit import Actor
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.messaging.consent import GDPR_START, current_text
from portal.messaging.sending import hand_to_worker
from portal.models import (
    Account,
    Campaign,
    CampaignStatus,
    ConsentLog,
    Customer,
    Location,
    Message,
    MessageStatus,
    PrivacySettings,
)
from portal.models.base import utcnow
from portal.tenancy import scoped
from portal.transaction import transaction

KIND = "consent_request"
# The second and last round's campaign (its messages are of KIND too: they count the asks).
AGAIN = "consent_again"
KINDS = (KIND, AGAIN)
PURPOSE = "consent-confirm"
LINK_DAYS = 30
BATCH = 200


class NobodyToAsk(Exception):
    pass


class MarketingOff(Exception):
    pass


class CountNotConfirmed(Exception):
    def __init__(self, waiting: int):
        super().__init__("not confirmed")
        self.waiting = waiting


ASK_AGAIN_AFTER = timedelta(days=30)
MAX_ASKS = 2


def _latest_email_proof():
    """Each customer's newest email consent log entry (id)."""
    return (
        select(func.max(ConsentLog.id))
        .where(ConsentLog.customer_id == Customer.id, ConsentLog.channel == "email")
        .correlate(Customer)  # the customer of the outermost query, two levels up
        .scalar_subquery()
    )


def _candidates(account_id: int, again: bool = False):
    """Customers with an email, not restricted, whose email consent rests on an unprovable
    approval from before 25.05.2018 (still granted, not confirmed or withdrawn since): never
    asked yet — or, `again`, asked once at least 30 days ago."""
    proof = aliased(ConsentLog)
    unprovable = exists().where(
        proof.id == _latest_email_proof(),
        proof.status == "granted",
        or_(proof.method == "pre_gdpr", and_(proof.method == "import", proof.given_on < GDPR_START)),
    )
    asked = (
        select(func.count(Message.id))
        .where(Message.customer_id == Customer.id, Message.account_id == account_id, Message.kind == KIND)
        .scalar_subquery()
    )
    last_asked = (
        select(func.max(Message.created_at))
        .where(Message.customer_id == Customer.id, Message.account_id == account_id, Message.kind == KIND)
        .scalar_subquery()
    )
    rounds = [asked == 1, last_asked <= utcnow() - ASK_AGAIN_AFTER] if again else [asked == 0]
    return scoped(Customer, account_id).where(
        Customer.email.is_not(None), Customer.restricted_at.is_(None), unprovable, *rounds
    )


def waiting(account_id: int, again: bool = False) -> int:
    """How many customers a consent request would ask now."""
    return db.session.scalar(select(func.count()).select_from(_candidates(account_id, again).subquery()))


def _marketing_on(account: Account, location_id: int) -> bool:
    settings = db.session.scalar(select(PrivacySettings).where(PrivacySettings.location_id == location_id))
    return bool(settings and settings.marketing_enabled)


@transaction
def start(actor: Actor, account: Account, confirmed: str | None, again: bool = False) -> Campaign:
    """Ask everyone waiting (`again`: the second and last round); `confirmed` is the number the
    sender was shown and agreed to."""
    location_id = db.session.scalar(scoped(Location, account.id).with_only_columns(Location.id).order_by(Location.id))
    if not _marketing_on(account, location_id):
        raise MarketingOff()
    total = waiting(account.id, again)
    if not total:
        raise NobodyToAsk()
    if (confirmed or "").strip() != str(total):
        raise CountNotConfirmed(total)
    text = current_text(account.id, "email", account.name)
    campaign = Campaign(
        account_id=account.id,
        location_id=location_id,
        kind=AGAIN if again else KIND,
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
        again = campaign.kind == AGAIN
        customers = db.session.scalars(_candidates(account.id, again).order_by(Customer.id).limit(BATCH)).all()
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
