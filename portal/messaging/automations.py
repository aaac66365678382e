"""Messages that run themselves (Marketing → Automatisch), per location with their own text:

- a birthday greeting on the customer's birthday by the salon's calendar, from a set hour
  (29 February is greeted on 28 February in common years);
- a review request some hours after an attended visit (never after a no-show), once per visit
  and at most once per customer within a period; marketing or not as the location decides;
- "we miss you" once a customer has been without activity (`portal/activity.py`) for some
  months — once per such stretch.

Who receives one is decided by the campaigns' eligibility (`eligibility.reason_column`): the
same consent, window, restriction and age rules. Each message is a row unique per automation,
customer and occasion (the birthday's year, the visit, the day activity stopped), claimed
before anything is sent: the five-minute job run twice, or by two cron processes, sends nobody
twice."""

from __future__ import annotations

from calendar import isleap
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, exists, extract, func, insert, literal, or_, select

from portal.audit import Actor, assign, field_changes, record
from portal.extensions import db
from portal.messaging import eligibility
from portal.messaging.campaigns import CampaignError, deliver_to, problems, unsubscribe_links
from portal.models import Account, Appointment, Automation, AutomationKind, Customer, Location, Message
from portal.models.base import utcnow
from portal.requests.deadlines import add_months
from portal.transaction import transaction

KINDS = (AutomationKind.BIRTHDAY, AutomationKind.REVIEW, AutomationKind.WE_MISS_YOU)
KIND_LABELS = {
    AutomationKind.BIRTHDAY: _l("Birthday greeting"),
    AutomationKind.REVIEW: _l("Review request after a visit"),
    AutomationKind.WE_MISS_YOU: _l("We miss you"),
}
# A visit or a stretch without activity older than this is not picked up when an automation is
# switched on (or after a pause): nobody gets a review request for last year's haircut.
CATCH_UP = timedelta(days=2)
QUIET_CATCH_UP = timedelta(days=7)
PREVIEW_NAMES = 20

DEFAULT_TEXTS = {
    AutomationKind.BIRTHDAY: (
        "Alles Gute zum Geburtstag, {first_name}!",
        "Liebe(r) {first_name},\n\nherzlichen Glückwunsch zum Geburtstag! Wir wünschen Ihnen einen "
        "wunderbaren Tag.\n\nIhr Team von {salon}\n\nKeine Geburtstagsgrüße mehr? {unsubscribe_link}",
    ),
    AutomationKind.REVIEW: (
        "Wie war Ihr Besuch bei {salon}?",
        "Liebe(r) {first_name},\n\ndanke für Ihren Besuch! Wie zufrieden waren Sie? Wir freuen uns über "
        "Ihre Bewertung.\n\nIhr Team von {salon}\n\nKeine Nachrichten mehr? {unsubscribe_link}",
    ),
    AutomationKind.WE_MISS_YOU: (
        "Wir vermissen Sie, {first_name}",
        "Liebe(r) {first_name},\n\nwir haben Sie lange nicht gesehen und würden uns freuen, Sie wieder "
        "bei {salon} begrüßen zu dürfen.\n\nKeine Nachrichten mehr? {unsubscribe_link}",
    ),
}
LIMITS = {"send_hour": (0, 23), "delay_hours": (1, 168), "period_days": (1, 730), "months": (1, 120)}


@dataclass
class AutomationData:
    enabled: bool
    channel: str
    subject: str
    body: str
    send_hour: int | None
    delay_hours: int | None
    period_days: int | None
    months: int | None


def for_location(location: Location) -> list[Automation]:
    """The location's three automations; one never saved is shown with the default text (not
    stored: a page only reads)."""
    saved = {a.kind: a for a in db.session.scalars(select(Automation).where(Automation.location_id == location.id))}
    result = []
    for kind in KINDS:
        if kind in saved:
            result.append(saved[kind])
        else:
            subject, body = DEFAULT_TEXTS[kind]
            result.append(
                Automation(
                    account_id=location.account_id,
                    location_id=location.id,
                    kind=kind,
                    enabled=False,
                    channel="email",
                    subject=subject,
                    body=body,
                    send_hour=9,
                    delay_hours=3,
                    period_days=90,
                    months=6,
                )
            )
    return result


def _marketing(kind: str, location: Location) -> bool:
    return eligibility.is_marketing(kind, eligibility.messaging_settings(location))


def check(location: Location, kind: str, data: AutomationData, account: Account) -> list[tuple[str, str]]:
    """Every problem at once: the text's (as a campaign's: placeholders, the unsubscribe link
    where it is marketing, the SMS length), numbers out of range, a "we miss you" that would
    wait longer than the marketing window lets a customer stay reachable."""
    found = problems(kind, data.channel, data.subject, data.body, _marketing(kind, location))
    if data.channel not in ("email", "sms"):
        found.append(("unknown-channel", ""))
    for name, (low, high) in LIMITS.items():
        if not low <= getattr(data, name) <= high:
            found.append(("out-of-range", name))
    if kind == AutomationKind.WE_MISS_YOU and data.months >= account.marketing_window_months:
        found.append(("beyond-window", str(account.marketing_window_months)))
    return found


@transaction
def save(actor: Actor, location: Location, kind: str, data: AutomationData) -> Automation:
    """A field left empty (None: not on this kind's form) keeps what the automation has."""
    if kind not in KINDS:
        raise CampaignError("unknown-kind")
    current = next(a for a in for_location(location) if a.kind == kind)
    for name in AutomationData.__dataclass_fields__:
        if getattr(data, name) is None:
            setattr(data, name, getattr(current, name))
    account = db.session.get(Account, location.account_id)
    found = check(location, kind, data, account)
    if found:
        raise CampaignError(*found[0], problems=found)
    automation = db.session.scalar(
        select(Automation).where(Automation.location_id == location.id, Automation.kind == kind)
    )
    created = automation is None
    if created:
        automation = Automation(account_id=location.account_id, location_id=location.id, kind=kind)
        db.session.add(automation)
    values = {name: getattr(data, name) for name in AutomationData.__dataclass_fields__}
    values["subject"], values["body"] = data.subject.strip(), data.body
    changes = assign(automation, values)
    if changes or created:
        automation.updated_at = utcnow()
        db.session.flush()
        record(
            actor,
            "setting",
            "created" if created else "updated",
            "automation",
            automation.id,
            field_changes({k: v for k, v in changes.items() if k != "body"}),
            summary=f"{KIND_LABELS[kind]} · {location.name}",
        )
    return automation


# --- who is due --------------------------------------------------------------------------------


def _local_midnight(account: Account, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)


def _birthday_on(day: date):
    """Born on this day of the year; 29 February counts on 28 February in a common year."""
    today = and_(extract("month", Customer.birthday) == day.month, extract("day", Customer.birthday) == day.day)
    if (day.month, day.day) == (2, 28) and not isleap(day.year):
        return or_(today, and_(extract("month", Customer.birthday) == 2, extract("day", Customer.birthday) == 29))
    return today


def _quiet_since(account: Account, automation: Automation, day: date):
    """Without activity for `months` by this day, the threshold crossed within the catch-up."""
    threshold = _local_midnight(account, add_months(day, -automation.months) + timedelta(days=1))
    return and_(Customer.last_activity_at < threshold, Customer.last_activity_at >= threshold - QUIET_CATCH_UP)


def _not_yet(automation: Automation, occasion) -> object:
    return ~exists().where(
        Message.automation_id == automation.id, Message.customer_id == Customer.id, Message.occasion == occasion
    )


def candidates(automation: Automation, account: Account, location: Location, now: datetime, day: date):
    """(customer id, occasion) of everyone this automation greets for `day` (`now`: reviews)
    who may receive it and has not had it for that occasion."""
    reason, _marketing_kind = eligibility.reason_column(account, location, automation.channel, automation.kind, day)
    base = [Customer.account_id == account.id, reason.is_(None)]
    if automation.kind == AutomationKind.BIRTHDAY:
        occasion = str(day.year)
        stmt = select(Customer.id, literal(occasion)).where(
            *base, Customer.birthday.is_not(None), _birthday_on(day), _not_yet(automation, occasion)
        )
    elif automation.kind == AutomationKind.WE_MISS_YOU:
        occasion = literal("quiet-") + func.substr(cast(Customer.last_activity_at, String), 1, 10)
        stmt = select(Customer.id, occasion).where(
            *base, _quiet_since(account, automation, day), _not_yet(automation, occasion)
        )
    else:
        occasion = literal("visit-") + cast(Appointment.id, String)
        ended_before = now - timedelta(hours=automation.delay_hours)
        asked_lately = exists().where(
            Message.automation_id == automation.id,
            Message.customer_id == Customer.id,
            Message.created_at >= now - timedelta(days=automation.period_days),
        )
        stmt = (
            select(Customer.id, occasion)
            .join(Appointment, Appointment.customer_id == Customer.id)
            .where(
                *base,
                Appointment.location_id == location.id,
                Appointment.status == "attended",
                Appointment.ends_at <= ended_before,
                Appointment.ends_at > ended_before - CATCH_UP,
                ~asked_lately,
                _not_yet(automation, occasion),
            )
        )
    seen, result = set(), []
    for customer_id, occasion_value in db.session.execute(stmt.order_by(Customer.id)):
        if customer_id not in seen:  # two visits in the window: one request
            seen.add(customer_id)
            result.append((customer_id, occasion_value))
    return result


@dataclass
class AutomationPreview:
    day: date
    count: int
    names: list[str]


def preview(automation: Automation, day: date) -> AutomationPreview:
    """Who would receive it on `day` (reviews: those with an appointment that day, asked after
    their visit if they come)."""
    account = db.session.get(Account, automation.account_id)
    location = db.session.get(Location, automation.location_id)
    if automation.kind == AutomationKind.REVIEW:
        reason, _m = eligibility.reason_column(account, location, automation.channel, automation.kind, day)
        start = _local_midnight(account, day)
        ids = list(
            db.session.scalars(
                select(Customer.id)
                .join(Appointment, Appointment.customer_id == Customer.id)
                .where(
                    Customer.account_id == account.id,
                    reason.is_(None),
                    Appointment.location_id == location.id,
                    Appointment.status.in_(("booked", "attended")),
                    Appointment.starts_at >= start,
                    Appointment.starts_at < start + timedelta(days=1),
                )
                .distinct()
            )
        )
    else:
        moment = _local_midnight(account, day) + timedelta(hours=automation.send_hour)
        ids = [cid for cid, _o in candidates(automation, account, location, moment, day)]
    names = list(
        db.session.scalars(
            select(func.trim(Customer.first_name + " " + Customer.last_name))
            .where(Customer.id.in_(ids[:500]))
            .order_by(Customer.sort_name)
            .limit(PREVIEW_NAMES)
        )
    )
    return AutomationPreview(day, len(ids), names)


# --- the five-minute job ---------------------------------------------------------------------------


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Every enabled automation whose hour has come (reviews: always) sends to whoever is due."""
    now = now or utcnow()
    sent = {}
    for automation in db.session.scalars(select(Automation).where(Automation.enabled.is_(True))).all():
        account = db.session.get(Account, automation.account_id)
        location = db.session.get(Location, automation.location_id)
        local = now.astimezone(ZoneInfo(account.timezone))
        if automation.kind != AutomationKind.REVIEW and local.hour < automation.send_hour:
            continue
        due = candidates(automation, account, location, now, local.date())
        sent[f"{automation.kind}-{automation.id}"] = _send(automation, account, due) if due else 0
    db.session.commit()
    return sent


def _send(automation: Automation, account: Account, due: list[tuple[int, str]]) -> int:
    """Claim a row per (customer, occasion) first — a row another run claimed is left to it —
    then send what this run claimed."""
    now = utcnow()
    rows = [
        {
            "account_id": account.id,
            "customer_id": customer_id,
            "kind": automation.kind,
            "channel": automation.channel,
            "status": "queued",
            "automation_id": automation.id,
            "occasion": occasion,
            "created_at": now,
        }
        for customer_id, occasion in due
    ]
    dialect = db.session.connection().dialect.name
    statement = insert(Message.__table__)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(Message.__table__).on_conflict_do_nothing()
    else:
        statement = statement.prefix_with("OR IGNORE")
    db.session.execute(statement, rows)
    claimed = dict(
        db.session.execute(
            select(Message.customer_id, Message.id).where(
                Message.automation_id == automation.id,
                Message.status == "queued",
                Message.created_at == now,
                Message.customer_id.in_([cid for cid, _o in due]),
            )
        ).all()
    )
    customers = db.session.scalars(select(Customer).where(Customer.id.in_(list(claimed)))).all()
    links = unsubscribe_links(list(customers), automation.channel, None)
    db.session.commit()
    return deliver_to(list(customers), claimed, links, automation.channel, automation.subject, automation.body, account)
