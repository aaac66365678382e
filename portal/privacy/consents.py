"""Consent records needed by privacy requests: withdrawal on objection, proof after erasure."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.history.audit import Actor
from portal.models import Consent, ConsentLog, Customer
from portal.models.base import utcnow


def email_proof_hash(email: str | None) -> str:
    """A salted (keyed) hash of an email: proves a withdrawal later without keeping the address."""
    if not email:
        return ""
    key = hashlib.sha256(("consent-proof:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def withdraw_marketing(actor: Actor, customer: Customer, method: str) -> int:
    """Set every marketing consent of the customer to withdrawn, each with a log entry."""
    changed = 0
    existing = {c.channel: c for c in db.session.scalars(select(Consent).where(Consent.customer_id == customer.id))}
    for channel in ("email", "sms"):
        consent = existing.get(channel)
        if consent is None:
            consent = Consent(account_id=customer.account_id, customer_id=customer.id, channel=channel)
            db.session.add(consent)
        if consent.status == "withdrawn":
            continue
        consent.status, consent.updated_at = "withdrawn", utcnow()
        db.session.add(
            ConsentLog(
                account_id=customer.account_id,
                customer_id=customer.id,
                channel=channel,
                status="withdrawn",
                method=method,
                login_id=actor.login_id,
                employee_id=actor.employee_id,
                ip=actor.ip,
                email_hash=email_proof_hash(customer.email),
            )
        )
        changed += 1
    return changed
