"""The customer's email links: unsubscribe (one click, RFC 8058) and confirming a marketing
consent (double opt-in). Checking a link changes nothing; using it is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from portal import tokens
from portal.audit import Actor
from portal.extensions import db
from portal.messaging import consent
from portal.messaging.campaigns import UNSUBSCRIBE_PURPOSE
from portal.messaging.consent_requests import PURPOSE as CONSENT_PURPOSE
from portal.models import Account, ConsentText, Customer
from portal.transaction import transaction


@dataclass
class LinkTarget:
    customer: Customer
    account: Account
    channel: str = "email"
    text: ConsentText | None = None


def _target(token_value: str, purpose: str) -> LinkTarget | None:
    checked = tokens.check(token_value, purpose)
    customer = db.session.get(Customer, checked.subject.get("customer_id")) if checked else None
    if customer is None or customer.account_id != checked.account_id:
        return None
    text_id = checked.subject.get("text_id")
    return LinkTarget(
        customer=customer,
        account=db.session.get(Account, customer.account_id),
        channel=checked.subject.get("channel", "email"),
        text=db.session.get(ConsentText, text_id) if text_id else None,
    )


def unsubscribe_target(token_value: str) -> LinkTarget | None:
    return _target(token_value, UNSUBSCRIBE_PURPOSE)


def consent_target(token_value: str) -> LinkTarget | None:
    return _target(token_value, CONSENT_PURPOSE)


@transaction
def unsubscribe(token_value: str, target: LinkTarget, actor: Actor) -> bool:
    """False when the link was used up meanwhile."""
    if tokens.consume(token_value, UNSUBSCRIBE_PURPOSE) is None:
        return False
    consent.set_consent(actor, target.customer, target.channel, "withdrawn", "unsubscribe")
    return True


@transaction
def confirm_consent(token_value: str, target: LinkTarget, actor: Actor) -> bool:
    if tokens.consume(token_value, CONSENT_PURPOSE) is None:
        return False
    consent.set_consent(actor, target.customer, "email", "granted", "double_opt_in", target.text, confirmation=True)
    return True
