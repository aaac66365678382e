"""Campaigns (newsletter, birthday greetings, review requests): composed with placeholders,
refused without an unsubscribe link, sent in batches by a worker, once per recipient."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from portal import tokens
from portal.audit import Actor, record
from portal.extensions import db
from portal.mail import external_url
from portal.messaging import consent_requests, delivery, eligibility
from portal.messaging.sending import hand_to_worker
from portal.messaging.sms import MAX_SEGMENTS, Segments, segments
from portal.models import Account, Campaign, CampaignStatus, Customer, Location, Message
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
        longest = sms_segments(body)
        if longest.count > MAX_SEGMENTS:
            found.append(("sms-too-long", str(MAX_SEGMENTS)))
    return found


def sms_segments(body: str) -> Segments:
    """The longest the SMS can become: names at 20 characters, the unsubscribe link at its length."""
    return segments(PLACEHOLDER.sub("x" * 20, body.replace("{unsubscribe_link}", "x" * LINK_ALLOWANCE)))


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


def clean_filters(account: Account, filters: dict | None) -> dict:
    """Only the known filters, with values; "active within" narrower than the marketing window."""
    kept = {name: value for name, value in (filters or {}).items() if name in eligibility.FILTERS and value}
    months = kept.get("active_months")
    if months is not None and not 1 <= int(months) < account.marketing_window_months:
        raise CampaignError("filter-window", str(account.marketing_window_months))
    if "min_age" in kept and not 1 <= int(kept["min_age"]) <= 120:
        raise CampaignError("filter-age")
    return kept


def save(
    actor: Actor,
    campaign: Campaign,
    location: Location,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    filters: dict | None = None,
) -> None:
    marketing = eligibility.is_marketing(kind, eligibility.messaging_settings(location))
    check(kind, channel, subject, body, marketing)
    campaign.location_id, campaign.kind, campaign.channel = location.id, kind, channel
    campaign.subject, campaign.body = subject.strip(), body
    campaign.filters = clean_filters(db.session.get(Account, location.account_id), filters)


def preview(campaign: Campaign, today: date) -> eligibility.Preview:
    account = db.session.get(Account, campaign.account_id)
    location = db.session.get(Location, campaign.location_id)
    return eligibility.preview(account, location, campaign.channel, campaign.kind, today, campaign.filters)


@transaction
def start(actor: Actor, campaign: Campaign, today: date, confirmed: str | None, send_at: datetime | None = None) -> int:
    """Send to everyone eligible (and in the filters' audience) now, or at `send_at`: then the
    five-minute job starts it (`start_scheduled`). `confirmed` is the number the sender was shown
    and agreed to (a changed number is refused, naming the new one)."""
    if campaign.status != "draft":
        raise CampaignError("already-sent")
    location = db.session.get(Location, campaign.location_id)
    marketing = eligibility.is_marketing(campaign.kind, eligibility.messaging_settings(location))
    check(campaign.kind, campaign.channel, campaign.subject, campaign.body, marketing)
    counts = preview(campaign, today)
    if counts.eligible == 0:
        raise CampaignError("no-recipients")
    if (confirmed or "").strip() != str(counts.eligible):
        raise CampaignError("not-confirmed", str(counts.eligible))
    if send_at is not None:
        if send_at <= utcnow():
            raise CampaignError("schedule-past")
        campaign.status, campaign.send_at, campaign.total = CampaignStatus.SCHEDULED, send_at, counts.eligible
        record(
            actor,
            "setting",
            "campaign_scheduled",
            "campaign",
            campaign.id,
            {"send_at": {"old": None, "new": send_at.isoformat()}, "recipients": {"old": None, "new": counts.eligible}},
            summary=campaign.subject or campaign.kind,
        )
        return counts.eligible
    hand_to_worker(actor, campaign, counts.eligible)
    return counts.eligible


@transaction
def cancel_schedule(actor: Actor, campaign: Campaign) -> None:
    """Back to a draft, until the job has started it."""
    taken = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.SCHEDULED)
        .values(status=CampaignStatus.DRAFT, send_at=None)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise CampaignError("already-started")
    db.session.refresh(campaign)
    record(actor, "setting", "campaign_unscheduled", "campaign", campaign.id, summary=campaign.subject or campaign.kind)


def start_scheduled(now: datetime | None = None) -> int:
    """The five-minute job: every scheduled campaign whose time has come is taken by one
    conditional update (two cron processes: one wins) and handed to the worker."""
    now = now or utcnow()
    started = 0
    for campaign in db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.SCHEDULED, Campaign.send_at <= now)
    ).all():
        taken = db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.SCHEDULED)
            .values(status=CampaignStatus.DRAFT)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            db.session.rollback()
            continue
        db.session.refresh(campaign)
        creator = Actor(campaign.account_id, campaign.created_by_id)
        account = db.session.get(Account, campaign.account_id)
        counts = preview(campaign, account.today())  # who may receive it now, not when it was planned
        hand_to_worker(creator, campaign, counts.eligible)
        db.session.commit()
        started += 1
    return started


def sample(campaign: Campaign, account: Account) -> tuple[str, str]:
    """(subject, text) as a customer would read them: placeholders filled with a sample person."""
    person = SimpleNamespace(first_name="Erika", last_name="Musterfrau")
    link = _("[her personal unsubscribe link]")
    return render(campaign.subject, person, account.name, link), render(campaign.body, person, account.name, link)


def unsubscribe_links(customers: list[Customer], channel: str, campaign_id: int | None) -> dict[int, str]:
    """Each customer's unsubscribe link, the tokens written in one statement."""
    if not customers:
        return {}
    values = tokens.issue_many(
        customers[0].account_id,
        UNSUBSCRIBE_PURPOSE,
        [{"customer_id": c.id, "channel": channel, "campaign_id": campaign_id} for c in customers],
        hours=24 * UNSUBSCRIBE_DAYS,
    )
    return {c.id: external_url("messaging.unsubscribe", token=v) for c, v in zip(customers, values, strict=True)}


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
    links = unsubscribe_links(fresh, campaign.channel, campaign.id)
    message_ids = dict(
        db.session.execute(
            select(Message.customer_id, Message.id).where(
                Message.campaign_id == campaign.id, Message.customer_id.in_([c.id for c in fresh])
            )
        ).all()
    )
    db.session.commit()
    return deliver_to(fresh, message_ids, links, campaign.channel, campaign.subject, campaign.body, account)


def deliver_to(
    customers: list[Customer],
    message_ids: dict[int, int],
    links: dict[int, str],
    channel: str,
    subject: str,
    body: str,
    account: Account,
) -> int:
    """The text filled in for each customer (their claimed message row, their unsubscribe link)
    and sent; campaigns and automations share it."""
    return delivery.send(
        channel,
        [
            delivery.Outgoing(
                message_ids[c.id],
                c,
                render(subject, c, account.name, links[c.id]),
                render(body, c, account.name, links[c.id]),
                links[c.id],
            )
            for c in customers
        ],
        account.id,
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
    # Everyone eligible, found in one pass; each batch is checked again just before it goes (a
    # customer who unsubscribed meanwhile is left out) — one scan of the salon, not one a batch.
    everyone = eligibility.eligible_ids(
        account, location, campaign.channel, campaign.kind, today, limit=None, filters=campaign.filters
    )
    for start in range(0, len(everyone), BATCH):
        ids = eligibility.eligible_ids(
            account,
            location,
            campaign.channel,
            campaign.kind,
            today,
            limit=None,
            filters=campaign.filters,
            only=everyone[start : start + BATCH],
        )
        customers = list(db.session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)))
        send_batch(campaign, account, customers)
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
