"""Campaigns (newsletter, birthday greetings, review requests): composed with placeholders,
refused without an unsubscribe link, sent in batches by a worker, once per recipient."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from portal import tokens
from portal.audit import Actor
from portal.extensions import db
from portal.mail import external_url
from portal.messaging import consent_requests, delivery, eligibility
from portal.messaging.sending import hand_to_worker
from portal.messaging.sms import MAX_CHARS
from portal.models import Account, Campaign, Customer, Location, Message
from portal.models.base import utcnow
from portal.transaction import transaction

PLACEHOLDERS = ("first_name", "last_name", "salon", "unsubscribe_link")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
UNSUBSCRIBE_PURPOSE = "unsubscribe"
UNSUBSCRIBE_DAYS = 365
LINK_ALLOWANCE = 70  # characters an unsubscribe link takes in an SMS
BATCH = 500


class CampaignError(Exception):
    """What keeps a message from going out: `problems` lists every one as (code, detail); `code`
    and `detail` are the first."""

    def __init__(self, code: str, detail: str = "", problems: list[tuple[str, str]] | None = None):
        super().__init__(code)
        self.code, self.detail = code, detail
        self.problems = problems or [(code, detail)]


def problems(kind: str, channel: str, subject: str, body: str, marketing: bool) -> list[tuple[str, str]]:
    """Everything that cannot go out, all at once: empty body, unknown placeholders, a marketing
    message without {unsubscribe_link}, an email without subject, an SMS the gateway refuses."""
    found = []
    if not body.strip():
        found.append(("empty", ""))
    unknown = sorted({name for name in PLACEHOLDER.findall(body + subject) if name not in PLACEHOLDERS})
    if unknown:
        found.append(("unknown-placeholder", ", ".join("{" + u + "}" for u in unknown)))
    if marketing and "{unsubscribe_link}" not in body:
        found.append(("no-unsubscribe", ""))
    if channel == "email" and not subject.strip():
        found.append(("no-subject", ""))
    if channel == "sms":
        longest = len(PLACEHOLDER.sub("x" * 20, body.replace("{unsubscribe_link}", "x" * LINK_ALLOWANCE)))
        if longest > MAX_CHARS:
            found.append(("sms-too-long", str(MAX_CHARS)))
    return found


def check(kind: str, channel: str, subject: str, body: str, marketing: bool) -> None:
    found = problems(kind, channel, subject, body, marketing)
    if found:
        raise CampaignError(*found[0], problems=found)


def render(text: str, customer: Customer, salon: str, unsubscribe_link: str) -> str:
    values = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "salon": salon,
        "unsubscribe_link": unsubscribe_link,
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def save(
    actor: Actor, campaign: Campaign, location: Location, kind: str, channel: str, subject: str, body: str
) -> None:
    marketing = eligibility.is_marketing(kind, eligibility.messaging_settings(location))
    check(kind, channel, subject, body, marketing)
    campaign.location_id, campaign.kind, campaign.channel = location.id, kind, channel
    campaign.subject, campaign.body = subject.strip(), body


@transaction
def start(actor: Actor, campaign: Campaign, today: date, confirmed: str | None) -> int:
    """Send to everyone eligible now; `confirmed` is the number the sender was shown and agreed
    to (a changed number is refused, naming the new one)."""
    if campaign.status != "draft":
        raise CampaignError("already-sent")
    account = db.session.get(Account, campaign.account_id)
    location = db.session.get(Location, campaign.location_id)
    marketing = eligibility.is_marketing(campaign.kind, eligibility.messaging_settings(location))
    check(campaign.kind, campaign.channel, campaign.subject, campaign.body, marketing)
    counts = eligibility.preview(account, location, campaign.channel, campaign.kind, today)
    if counts.eligible == 0:
        raise CampaignError("no-recipients")
    if (confirmed or "").strip() != str(counts.eligible):
        raise CampaignError("not-confirmed", str(counts.eligible))
    hand_to_worker(actor, campaign, counts.eligible)
    return counts.eligible


def sample(campaign: Campaign, account: Account) -> tuple[str, str]:
    """(subject, text) as a customer would read them: placeholders filled with a sample person."""
    person = SimpleNamespace(first_name="Erika", last_name="Musterfrau")
    link = _("[her personal unsubscribe link]")
    return render(campaign.subject, person, account.name, link), render(campaign.body, person, account.name, link)


def unsubscribe_link(customer: Customer, channel: str, campaign_id: int | None) -> str:
    token = tokens.issue(
        customer.account_id,
        UNSUBSCRIBE_PURPOSE,
        {"customer_id": customer.id, "channel": channel, "campaign_id": campaign_id},
        hours=24 * UNSUBSCRIBE_DAYS,
    )
    return external_url("messaging.unsubscribe", token=tokens.link_value(token))


def send_batch(campaign: Campaign, account: Account, customers: list[Customer]) -> int:
    """Claim a message row per recipient first (unique per campaign, customer, channel): a
    retried job finds the rows and sends nobody twice."""
    already = set(
        db.session.scalars(
            select(Message.customer_id).where(
                Message.campaign_id == campaign.id, Message.customer_id.in_([c.id for c in customers])
            )
        )
    )
    fresh = [c for c in customers if c.id not in already]
    if not fresh:
        return 0
    db.session.execute(
        insert(Message),
        [
            {
                "account_id": account.id,
                "customer_id": c.id,
                "kind": campaign.kind,
                "channel": campaign.channel,
                "status": "queued",
                "campaign_id": campaign.id,
                "created_at": utcnow(),
            }
            for c in fresh
        ],
    )
    # The unsubscribe links exist (committed) before any message carrying them leaves.
    links = {c.id: unsubscribe_link(c, campaign.channel, campaign.id) for c in fresh}
    message_ids = dict(
        db.session.execute(
            select(Message.customer_id, Message.id).where(
                Message.campaign_id == campaign.id, Message.customer_id.in_([c.id for c in fresh])
            )
        ).all()
    )
    db.session.commit()
    return delivery.send(
        campaign.channel,
        [
            delivery.Outgoing(
                message_ids[c.id],
                c,
                render(campaign.subject, c, account.name, links[c.id]),
                render(campaign.body, c, account.name, links[c.id]),
                links[c.id],
            )
            for c in fresh
        ],
    )


def send_campaign(campaign_id: int) -> str:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != "sending":
        return "nothing-to-do"
    if campaign.kind in consent_requests.KINDS:
        return consent_requests.send(campaign)
    account = db.session.get(Account, campaign.account_id)
    location = db.session.get(Location, campaign.location_id)
    today = account.today()
    after = 0
    while True:
        ids = eligibility.eligible_ids(account, location, campaign.channel, campaign.kind, today, after, BATCH)
        if not ids:
            break
        customers = list(db.session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)))
        send_batch(campaign, account, customers)
        after = ids[-1]
        campaign.sent = db.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.campaign_id == campaign.id, Message.status == "sent")
        )
        db.session.commit()
    # Rows still queued were claimed by a run that died while sending: whether they went out is
    # unknown, and they are not sent again (nobody gets a campaign twice). The record says so.
    db.session.execute(
        update(Message)
        .where(Message.campaign_id == campaign.id, Message.status == "queued")
        .values(status="failed", reason="interrupted")
    )
    campaign.status = "sent"
    db.session.commit()
    current_app.logger.info("campaign %s sent to %s recipients", campaign.id, campaign.sent)
    return "sent"
