"""The portal's own retention plan (Löschkonzept): the records it keeps about people beyond the
customer file — who logged in, who opened which customer file, which messages went out, the
outbound mail queue, email-link tokens, rate-limit counters — each with its period and why.

Three periods are the salon's to choose within limits (the plan's data below); the others are
fixed by how the portal works. The daily round (`purge`) deletes what is older, in batches.
Message rows that prove a consent request was sent are kept: each customer may be asked once
(and a second time), which they prove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Account, AuditEvent, Message, RecordRetention
from portal.models.base import utcnow
from portal.requests.deadlines import add_months
from portal.transaction import transaction

BATCH = 5000
KEPT_MESSAGE_KINDS = ("consent_request", "consent_again")


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: object
    default_months: int
    min_months: int
    max_months: int
    reason: object


CHOSEN = (
    RecordKind(
        "login_history",
        _l("Login history (who logged in when, from which IP and browser)"),
        12,
        6,
        24,
        _l(
            "To trace misuse of a login (Art. 32 GDPR) and to hand an owner the history of a login; a year covers the questions that come up."
        ),
    ),
    RecordKind(
        "access_log",
        _l("Data-access log (who opened which customer file)"),
        24,
        12,
        36,
        _l("To show who saw a customer's data when a customer or the authority asks (Art. 5(2), Art. 15 GDPR)."),
    ),
    RecordKind(
        "message_log",
        _l("Message log (which message went to whom, or why not)"),
        36,
        12,
        60,
        _l(
            "To answer a complaint about a message and to show the marketing rules were kept; the activity window is 36 months."
        ),
    ),
)
BY_KEY = {kind.key: kind for kind in CHOSEN}
# Fixed by how the portal works: shown in the plan, not chosen.
FIXED = (
    (
        _l("Outgoing emails (the mail queue)"),
        _l("deleted 30 days after sending: the links in them are single-use and expire"),
    ),
    (_l("Email-link tokens"), _l("deleted 30 days after they expired")),
    (_l("Unconfirmed online requests"), _l("deleted after 2 days")),
    (
        _l("Login attempt and rate-limit counters (Redis)"),
        _l("expire after 10 minutes to 1 hour; kept as keyed hashes, never the address"),
    ),
    (
        _l("Consent proofs (consent log)"),
        _l("kept while the customer file exists; after an erasure only a keyed hash of the address (Art. 7(1) GDPR)"),
    ),
)


class PeriodError(ValueError):
    def __init__(self, kind: RecordKind):
        super().__init__(kind.key)
        self.kind = kind


def periods(account_id: int) -> dict[str, int]:
    chosen = dict(
        db.session.execute(
            select(RecordRetention.kind, RecordRetention.months).where(RecordRetention.account_id == account_id)
        ).all()
    )
    return {kind.key: chosen.get(kind.key, kind.default_months) for kind in CHOSEN}


@transaction
def save(actor: Actor, values: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The salon's periods; one outside its limits is refused (nothing is saved then)."""
    for key, months in values.items():
        kind = BY_KEY[key]
        if months is None or not kind.min_months <= months <= kind.max_months:
            raise PeriodError(kind)
    before = periods(actor.account_id)
    changes = {}
    for key, months in values.items():
        if before[key] == months:
            continue
        row = db.session.scalar(
            select(RecordRetention).where(RecordRetention.account_id == actor.account_id, RecordRetention.kind == key)
        )
        if row is None:
            db.session.add(RecordRetention(account_id=actor.account_id, kind=key, months=months))
        else:
            row.months, row.updated_at = months, utcnow()
        changes[key] = (before[key], months)
    if changes:
        record(
            actor,
            "setting",
            "updated",
            "retention_plan",
            None,
            {f"keep_{key}": {"old": old, "new": new} for key, (old, new) in changes.items()},
        )
    return changes


def _cutoff(account: Account, months: int, now: datetime) -> datetime:
    """The salon's local midnight `months` before its today."""
    day = add_months(account.local_date(now), -months)
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)


def purge(now: datetime | None = None) -> dict[str, int]:
    """The daily round: every salon's records older than its periods, in batches (committed
    one by one: a round cut short leaves no half-deleted batch, the next day goes on)."""
    now = now or utcnow()
    deleted = {kind.key: 0 for kind in CHOSEN}
    for account in db.session.scalars(select(Account)).all():
        chosen = periods(account.id)
        targets = {
            "login_history": (
                AuditEvent,
                [AuditEvent.account_id == account.id, AuditEvent.category == "login"],
                AuditEvent.occurred_at,
            ),
            "access_log": (
                AuditEvent,
                [AuditEvent.account_id == account.id, AuditEvent.category == "access"],
                AuditEvent.occurred_at,
            ),
            "message_log": (
                Message,
                [Message.account_id == account.id, Message.kind.not_in(KEPT_MESSAGE_KINDS)],
                Message.created_at,
            ),
        }
        for key, (model, where, moment) in targets.items():
            cutoff = _cutoff(account, chosen[key], now)
            while True:
                ids = db.session.scalars(select(model.id).where(*where, moment < cutoff).limit(BATCH)).all()
                if not ids:
                    break
                db.session.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
                db.session.commit()
                deleted[key] += len(ids)
    return deleted
