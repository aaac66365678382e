"""Who may receive marketing — one function for the preview and for sending.

A customer receives a marketing message on a channel when: marketing is on for the location;
they can be reached on it; they have not withdrawn (unsubscribed); they are not restricted
(Art. 18); they are not under 16 without a recorded guardian consent (Art. 8 GDPR, § 8 BDSG);
they were active within the window (portal/activity.py: an attended visit, an invoice not
cancelled, or the import; the window starts at the salon's local midnight); and they consented
on that channel — or, for email only when the salon uses it, they are existing customers who
bought from the salon within the window (§ 7(3) UWG: an invoice not cancelled).
The first rule a customer fails is the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, extract, func, literal, null, or_, select

from portal.activity import bought_since
from portal.extensions import db
from portal.models import (
    Account,
    Appointment,
    Consent,
    Customer,
    Location,
    MessagingSettings,
    PrivacySettings,
    StampCard,
)
from portal.requests.deadlines import add_months

REASONS = ("marketing_off", "no_contact", "unsubscribed", "restricted", "minor", "inactive", "no_consent")
MARKETING_KINDS = ("newsletter", "birthday", "we_miss_you")


@dataclass
class Preview:
    eligible: int
    reasons: dict[str, int]
    marketing: bool


def is_marketing(kind: str, settings: MessagingSettings | None) -> bool:
    if kind == "review":
        return settings.review_is_marketing if settings else True
    return kind in MARKETING_KINDS


def messaging_settings(location: Location) -> MessagingSettings:
    """The location's message settings (they come with the location: `portal.models`)."""
    return db.session.scalars(select(MessagingSettings).where(MessagingSettings.location_id == location.id)).one()


def reason_column(
    account: Account, location: Location, channel: str, kind: str, today: date, filters: dict | None = None
):
    """A CASE giving each customer the first rule they fail, or NULL when they may receive it."""
    settings = messaging_settings(location)
    privacy = db.session.scalars(
        select(PrivacySettings).where(PrivacySettings.location_id == location.id)
    ).one_or_none()
    marketing = is_marketing(kind, settings)
    window_start = datetime.combine(
        add_months(today, -account.marketing_window_months), datetime.min.time(), tzinfo=ZoneInfo(account.timezone)
    ).astimezone(UTC)
    sixteen = add_months(today, -16 * 12)
    contact = Customer.email.is_not(None) if channel == "email" else Customer.phone.is_not(None)

    # Uncorrelated: the database reads the channel's consents once into a hash (or SQLite's
    # ephemeral index) and looks each customer up there. As a subquery per customer (asked twice)
    # it cost 130,000 index probes at 100,000 customers, and PostgreSQL's estimate of that
    # switched on JIT compilation, another quarter second per preview.
    def consent_is(status: str):
        return Customer.id.in_(
            select(Consent.customer_id).where(
                Consent.account_id == account.id, Consent.channel == channel, Consent.status == status
            )
        )

    bought = bought_since(Customer.id, window_start)
    inactive = or_(Customer.last_activity_at.is_(None), Customer.last_activity_at < window_start)
    rules = [
        (literal(not (privacy and privacy.marketing_enabled)) if marketing else literal(False), "marketing_off"),
        (~contact, "no_contact"),
        (consent_is("withdrawn"), "unsubscribed"),
        (Customer.restricted_at.is_not(None), "restricted"),
    ]
    if marketing:
        existing_customer = and_(literal(channel == "email" and settings.existing_customer_email), bought)
        rules += [
            (and_(Customer.birthday.is_not(None), Customer.birthday > sixteen, ~Customer.guardian_consent), "minor"),
            (inactive, "inactive"),
            (and_(~consent_is("granted"), ~existing_customer), "no_consent"),
        ]
    rules += filter_rules(account, location, filters or {}, today, window_start)
    return case(*[(condition, reason) for condition, reason in rules], else_=null()), marketing


# The audience a campaign may narrow beyond eligibility, and the reason shown for the others.
FILTERS = ("active_months", "this_location", "service_ids", "bonus_program_id", "birthday_month", "min_age")


def filter_rules(account: Account, location: Location, filters: dict, today: date, window_start) -> list:
    rules = []
    if months := filters.get("active_months"):
        since = datetime.combine(
            add_months(today, -int(months)), datetime.min.time(), tzinfo=ZoneInfo(account.timezone)
        ).astimezone(UTC)
        rules.append((or_(Customer.last_activity_at.is_(None), Customer.last_activity_at < since), "filter_active"))
    if filters.get("this_location"):
        visited_here = exists().where(
            Appointment.customer_id == Customer.id,
            Appointment.location_id == location.id,
            Appointment.status == "attended",
        )
        rules.append((~visited_here, "filter_location"))
    if service_ids := filters.get("service_ids"):
        received = exists().where(
            Appointment.customer_id == Customer.id,
            Appointment.status == "attended",
            Appointment.service_id.in_([int(s) for s in service_ids]),
        )
        rules.append((~received, "filter_service"))
    if program := filters.get("bonus_program_id"):
        has_card = exists().where(StampCard.customer_id == Customer.id, StampCard.program_id == int(program))
        rules.append((~has_card, "filter_bonus"))
    if month := filters.get("birthday_month"):
        rules.append(
            (or_(Customer.birthday.is_(None), extract("month", Customer.birthday) != int(month)), "filter_birthday")
        )
    if age := filters.get("min_age"):
        born_by = add_months(today, -12 * int(age))
        rules.append((or_(Customer.birthday.is_(None), Customer.birthday > born_by), "filter_age"))
    return rules


def _audience(kind: str, today: date) -> list:
    """Birthday greetings go to those whose birthday is today; the other kinds to everyone."""
    if kind == "birthday":
        return [extract("month", Customer.birthday) == today.month, extract("day", Customer.birthday) == today.day]
    return []


def preview(
    account: Account, location: Location, channel: str, kind: str, today: date, filters: dict | None = None
) -> Preview:
    reason, marketing = reason_column(account, location, channel, kind, today, filters)
    rows = db.session.execute(
        select(reason.label("reason"), func.count())
        .where(Customer.account_id == account.id, *_audience(kind, today))
        .group_by(reason)
    ).all()
    counts = {r: n for r, n in rows if r is not None}
    eligible = next((n for r, n in rows if r is None), 0)
    return Preview(eligible, counts, marketing)


def eligible_ids(
    account: Account,
    location: Location,
    channel: str,
    kind: str,
    today: date,
    after: int = 0,
    limit: int | None = 500,
    filters: dict | None = None,
    only: list[int] | None = None,
) -> list[int]:
    """The ids of those who may receive it, in order (after an id, at most `limit`; `only`:
    which of these may)."""
    reason, _marketing = reason_column(account, location, channel, kind, today, filters)
    stmt = select(Customer.id).where(
        Customer.account_id == account.id, Customer.id > after, reason.is_(None), *_audience(kind, today)
    )
    if only is not None:
        stmt = stmt.where(Customer.id.in_(only))
    return list(db.session.scalars(stmt.order_by(Customer.id).limit(limit)))


def reason_for(customer: Customer, location: Location, channel: str, kind: str, today: date) -> str | None:
    account = db.session.get(Account, customer.account_id)
    reason, _marketing = reason_column(account, location, channel, kind, today)
    return db.session.scalar(select(reason).where(Customer.id == customer.id))
