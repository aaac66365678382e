"""Provable marketing consent (Art. 7(1) GDPR): every change is logged with who, when, how,
which text (version and hash) and, online, the IP."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from functools import lru_cache

from flask import current_app
from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Account, Consent, ConsentLog, ConsentText, Customer
from portal.models.base import utcnow

CHANNELS = ("email", "sms", "photo")
DEFAULT_VERSION = "2026-01"
DEFAULT_TEXTS = {
    "email": "Ich bin einverstanden, dass mir {salon} Neuigkeiten, Angebote und Geburtstagsgrüße per E-Mail "
    "schickt. Ich kann die Einwilligung jederzeit widerrufen, z. B. über den Abmeldelink in jeder E-Mail.",
    "sms": "Ich bin einverstanden, dass mir {salon} Neuigkeiten und Angebote per SMS schickt. Ich kann die "
    "Einwilligung jederzeit widerrufen.",
    "photo": "Ich bin einverstanden, dass {salon} Fotos meiner Frisur/Behandlung, auf denen ich erkennbar sein kann, "
    "in sozialen Medien und auf der Website veröffentlicht. Ich kann die Einwilligung jederzeit widerrufen.",
}
METHODS = ("oral", "signed_form", "double_opt_in", "unsubscribe", "import", "objection", "pre_gdpr")
# An approval given before the GDPR applied, without a text that proves it: imported (with its
# day) or recorded by staff. Only these customers may be asked to confirm (`consent_requests`).
GDPR_START = date(2018, 5, 25)


def email_proof_hash(email: str | None) -> str:
    """A salted (keyed) hash of an email: proves a withdrawal later without keeping the address."""
    if not email:
        return ""
    return hmac.new(_proof_key(current_app.config["SECRET_KEY"]), email.strip().lower().encode(), "sha256").hexdigest()


@lru_cache(maxsize=4)
def _proof_key(secret: str) -> bytes:
    return hashlib.sha256(("consent-proof:" + secret).encode()).digest()


def current_text(account_id: int, channel: str, salon_name: str) -> ConsentText:
    text = db.session.scalars(
        select(ConsentText)
        .where(ConsentText.account_id == account_id, ConsentText.channel == channel)
        .order_by(ConsentText.created_at.desc(), ConsentText.id.desc())
        .limit(1)
    ).first()
    if text is None:
        body = default_text(channel, salon_name)
        text = ConsentText(
            account_id=account_id,
            channel=channel,
            version=DEFAULT_VERSION,
            text=body,
            sha256=hashlib.sha256(body.encode()).hexdigest(),
        )
        db.session.add(text)
        db.session.flush()
    return text


def consent_status(customer_id: int) -> dict[str, str]:
    rows = db.session.scalars(select(Consent).where(Consent.customer_id == customer_id))
    status = {channel: "none" for channel in CHANNELS}
    status.update({row.channel: row.status for row in rows})
    return status


def set_consent(
    actor: Actor,
    customer: Customer,
    channel: str,
    status: str,
    method: str,
    text: ConsentText | None = None,
    source: str = "",
    given_on: date | None = None,
    confirmation: bool = False,
    document_id: int | None = None,
) -> bool:
    """Grant or withdraw one channel's consent; returns whether it changed. Always logged. An
    imported consent names its source and, if known, the day it was given there. A
    `confirmation` (the double opt-in of an approval already recorded, but not provably) is
    logged with its text although the state stays granted: the log now proves it."""
    if channel not in CHANNELS or status not in ("granted", "withdrawn") or method not in METHODS:
        raise ValueError("unknown consent change")
    consent = db.session.scalars(
        select(Consent).where(Consent.customer_id == customer.id, Consent.channel == channel)
    ).one_or_none()
    if consent is None:
        consent = Consent(account_id=customer.account_id, customer_id=customer.id, channel=channel, status="none")
        db.session.add(consent)
    if consent.status == status and not confirmation:
        return False
    old = consent.status
    consent.status, consent.updated_at = status, utcnow()
    db.session.add(
        ConsentLog(
            account_id=customer.account_id,
            customer_id=customer.id,
            channel=channel,
            status=status,
            method=method,
            text_version=text.version if text else "",
            text_hash=text.sha256 if text else "",
            login_id=actor.login_id,
            employee_id=actor.employee_id,
            ip=actor.ip,
            email_hash=email_proof_hash(customer.email),
            source=source,
            given_on=given_on,
            document_id=document_id,
        )
    )
    record(
        actor,
        "customer",
        "consent",
        "customer",
        customer.id,
        {f"consent_{channel}": {"old": old, "new": status}},
        customer_id=customer.id,
        summary=customer.full_name,
    )
    return True


def withdraw_marketing(actor: Actor, customer: Customer, method: str) -> int:
    """Every marketing channel withdrawn (an objection, Art. 21(3) GDPR); returns how many changed."""
    return sum(set_consent(actor, customer, channel, "withdrawn", method) for channel in ("email", "sms"))


def record_prompt_answers(actor: Actor, customer: Customer, answers: dict[str, str]) -> None:
    """The new-customer prompt ({channel: "granted" | "withdrawn" | anything else: not asked}):
    staff confirm what the customer said (oral), with the text shown."""
    account = db.session.get(Account, customer.account_id)
    for channel, answer in answers.items():
        if answer in ("granted", "withdrawn"):
            set_consent(
                actor,
                customer,
                channel,
                answer,
                "oral",
                current_text(account.id, channel, account.name) if answer == "granted" else None,
            )


class TextUnchanged(ValueError):
    pass


def text_versions(account_id: int, channel: str) -> list[ConsentText]:
    """Every version of a channel's consent text, newest first: all are kept, since each log
    entry proves consent to the version it names (by its SHA-256)."""
    return list(
        db.session.scalars(
            select(ConsentText)
            .where(ConsentText.account_id == account_id, ConsentText.channel == channel)
            .order_by(ConsentText.created_at.desc(), ConsentText.id.desc())
        )
    )


def default_text(channel: str, salon_name: str) -> str:
    return DEFAULT_TEXTS[channel].format(salon=salon_name)


def save_text(actor: Actor, account: Account, channel: str, body: str) -> ConsentText:
    """A new version of the salon's text for a channel (never an edit of an old one)."""
    body = body.strip()
    if channel not in CHANNELS or not body:
        raise ValueError("empty")
    current = current_text(account.id, channel, account.name)
    if current.text == body:
        raise TextUnchanged()
    day = account.today().isoformat()
    taken = {t.version for t in text_versions(account.id, channel)}
    version = next(v for v in (day, *(f"{day}-{n}" for n in range(2, 1000))) if v not in taken)
    text = ConsentText(
        account_id=account.id,
        channel=channel,
        version=version,
        text=body,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        created_at=utcnow(),
    )
    db.session.add(text)
    db.session.flush()
    record(
        actor,
        "setting",
        "consent_text",
        "consent_text",
        text.id,
        {"channel": {"old": None, "new": channel}, "version": {"old": current.version, "new": version}},
        summary=f"{channel} {version}",
    )
    return text
