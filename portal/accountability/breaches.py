"""The breach register (Art. 33/34 GDPR): what happened, when it happened and when the salon
became aware — the 72-hour clock for notifying the supervisory authority starts there —, the
owners reminded at 24, 48 and 64 hours and at the deadline, the notification recorded (with the
reason when late) or the reason why none was needed, and the decision whether the people must
be told. Every breach stays documented (Art. 33(5)); nothing here is ever deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.audit import Actor, assign, field_changes, record
from portal.extensions import db
from portal.legal import BREACH_NOTIFICATION_HOURS
from portal.mail import external_url, mail_owners
from portal.models import Account, Breach, Login
from portal.models.base import utcnow
from portal.tenancy import scoped
from portal.transaction import transaction

REMINDER_HOURS = (24, 48, 64, BREACH_NOTIFICATION_HOURS)
FACTS = (
    "occurred_at",
    "aware_at",
    "description",
    "data_categories",
    "people_affected",
    "records_affected",
    "consequences",
    "measures",
)
MAX_TEXT = 5000


class BreachError(ValueError):
    """Refused input; `field` names the form field the message belongs to."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code, self.field = code, field


def deadline(breach: Breach) -> datetime:
    return breach.aware_at + timedelta(hours=BREACH_NOTIFICATION_HOURS)


def is_open(breach: Breach) -> bool:
    """The authority question is still open: neither notified nor decided against."""
    return breach.notified_at is None and not breach.not_notified_reason


def notified_late(breach: Breach) -> bool:
    return breach.notified_at is not None and breach.notified_at > deadline(breach)


@dataclass
class Clock:
    deadline: datetime
    seconds_left: int  # negative once passed

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def hours(self) -> int:
        return abs(self.seconds_left) // 3600

    @property
    def minutes(self) -> int:
        return abs(self.seconds_left) % 3600 // 60


def clock(breach: Breach, now: datetime | None = None) -> Clock | None:
    """The countdown while the question is open."""
    if not is_open(breach):
        return None
    ends = deadline(breach)
    return Clock(ends, int((ends - (now or utcnow())).total_seconds()))


def notified_by(breach: Breach) -> str:
    """Who recorded the notification, as the page names them."""
    login = db.session.get(Login, breach.notified_by_id) if breach.notified_by_id else None
    return login.display_name if login is not None and login.account_id == breach.account_id else ""


def register(account_id: int) -> list[Breach]:
    return db.session.scalars(scoped(Breach, account_id).order_by(Breach.aware_at.desc(), Breach.id.desc())).all()


def open_breaches(account_id: int) -> list[Breach]:
    return [b for b in register(account_id) if is_open(b)]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_facts(values: dict, now: datetime) -> dict:
    values = {
        **values,
        **{k: _text(values.get(k)) for k in ("description", "data_categories", "consequences", "measures")},
    }
    if values["occurred_at"] is None:
        raise BreachError("occurred", "occurred_at")
    if values["aware_at"] is None:
        raise BreachError("aware", "aware_at")
    if values["occurred_at"] > now:
        raise BreachError("occurred-future", "occurred_at")
    if values["aware_at"] > now:
        raise BreachError("aware-future", "aware_at")
    if values["aware_at"] < values["occurred_at"]:
        raise BreachError("aware-before", "aware_at")
    if not values["description"]:
        raise BreachError("description", "description")
    if not values["data_categories"]:
        raise BreachError("categories", "data_categories")
    if values["people_affected"] is None or values["people_affected"] < 0:
        raise BreachError("people", "people_affected")
    if values["records_affected"] is not None and values["records_affected"] < 0:
        raise BreachError("records", "records_affected")
    if any(len(values[k]) > MAX_TEXT for k in ("description", "data_categories", "consequences", "measures")):
        raise BreachError("too-long")
    return values


@transaction
def record_breach(actor: Actor, values: dict) -> Breach:
    values = _check_facts({k: values.get(k) for k in FACTS}, utcnow())
    breach = Breach(account_id=actor.account_id, recorded_by_id=actor.login_id, reminders=[], **values)
    db.session.add(breach)
    db.session.flush()
    # The times only: the description may name people, the settings history is read widely.
    record(
        actor,
        "setting",
        "created",
        "breach",
        breach.id,
        field_changes({"aware_at": (None, breach.aware_at), "people_affected": (None, breach.people_affected)}),
        summary=f"#{breach.id}",
    )
    return breach


@transaction
def update_facts(actor: Actor, breach: Breach, values: dict) -> bool:
    values = _check_facts({k: values.get(k) for k in FACTS}, utcnow())
    changes = assign(breach, values)
    if changes:
        record(actor, "setting", "updated", "breach", breach.id, field_changes(changes), summary=f"#{breach.id}")
    return bool(changes)


@transaction
def record_notification(actor: Actor, breach: Breach, notified_at: datetime | None, reference: str, late_reason: str):
    """The day and time the authority was notified; after the 72 hours only with the reason for
    the delay (Art. 33(1))."""
    if breach.notified_at is not None:
        raise BreachError("already-notified")
    if notified_at is None:
        raise BreachError("notified", "notified_at")
    if notified_at > utcnow():
        raise BreachError("notified-future", "notified_at")
    if notified_at < breach.aware_at:
        raise BreachError("notified-before", "notified_at")
    late_reason = _text(late_reason)
    if notified_at > deadline(breach) and not late_reason:
        raise BreachError("late-reason", "late_reason")
    changes = assign(
        breach,
        {
            "notified_at": notified_at,
            "notified_by_id": actor.login_id,
            "authority_reference": _text(reference)[:200],
            "late_reason": late_reason[:MAX_TEXT],
            "not_notified_reason": "",
        },
    )
    changes.pop("notified_by_id", None)
    record(actor, "setting", "updated", "breach", breach.id, field_changes(changes), summary=f"#{breach.id}")


@transaction
def record_no_notification(actor: Actor, breach: Breach, reason: str) -> None:
    """Not notified because the breach is unlikely to result in a risk to people (Art. 33(1)):
    the reason is the documentation the authority may ask for (Art. 33(5))."""
    if breach.notified_at is not None:
        raise BreachError("already-notified")
    reason = _text(reason)
    if not reason:
        raise BreachError("no-notification-reason", "reason")
    changes = assign(breach, {"not_notified_reason": reason[:MAX_TEXT]})
    record(actor, "setting", "updated", "breach", breach.id, field_changes(changes), summary=f"#{breach.id}")


@transaction
def decide_on_people(actor: Actor, breach: Breach, inform: str, reasoning: str) -> None:
    """Art. 34: whether the people must be told, with the reasoning either way."""
    if inform not in ("yes", "no"):
        raise BreachError("inform", "inform_people")
    reasoning = _text(reasoning)
    if not reasoning:
        raise BreachError("reasoning", "inform_reasoning")
    if breach.notice_status and inform == "no":
        raise BreachError("already-sent")
    changes = assign(breach, {"inform_people": inform, "inform_reasoning": reasoning[:MAX_TEXT]})
    if changes:
        record(actor, "setting", "updated", "breach", breach.id, field_changes(changes), summary=f"#{breach.id}")


def due_reminder(breach: Breach, now: datetime) -> int | None:
    """The latest reminder step reached and not yet sent (earlier ones are then pointless)."""
    if not is_open(breach):
        return None
    elapsed = now - breach.aware_at
    reached = [hours for hours in REMINDER_HOURS if elapsed >= timedelta(hours=hours)]
    if not reached or f"{reached[-1]}h" in (breach.reminders or []):
        return None
    return reached[-1]


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Run every few minutes: mails the owners at 24, 48 and 64 hours after the salon became
    aware and at the deadline, each once."""
    now = now or utcnow()
    oldest = now - timedelta(hours=REMINDER_HOURS[0])
    candidates = db.session.scalars(
        select(Breach).where(Breach.notified_at.is_(None), Breach.not_notified_reason == "", Breach.aware_at <= oldest)
    ).all()
    sent = 0
    for breach in candidates:
        hours = due_reminder(breach, now)
        if hours is None:
            continue
        account = db.session.get(Account, breach.account_id)
        mail_owners(
            account,
            "breach_deadline",
            {
                "salon": account.name,
                "breach_id": breach.id,
                "hours_left": max(0, BREACH_NOTIFICATION_HOURS - hours),
                "deadline": deadline(breach),
                "zone": account.timezone,
                "link": external_url("breaches.detail", breach_id=breach.id),
            },
        )
        breach.reminders = sorted({*(breach.reminders or []), *[f"{h}h" for h in REMINDER_HOURS if h <= hours]})
        sent += 1
    db.session.commit()
    return sent
