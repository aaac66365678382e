"""Sending marketing messages that have their rows already (claimed first, so a retry never sends
twice): the text with the customer's placeholders and unsubscribe link, by email over one SMTP
connection or by SMS through the gateway; then each row marked sent or failed. Campaigns and
automations share it."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from flask_mail import Message as MailMessage
from sqlalchemy import update

from portal.extensions import db, mail
from portal.messaging.sms import SmsSendError, SmsTooLong, gateway
from portal.models import Customer, Message
from portal.models.base import utcnow


@dataclass
class Outgoing:
    message_id: int
    customer: Customer
    subject: str
    body: str
    unsubscribe_link: str


def send(channel: str, outgoing: list[Outgoing]) -> int:
    """Send and record; returns how many went out. The rows (and the unsubscribe links' tokens)
    are committed before anything leaves."""
    failed = []
    if channel == "email":
        with mail.connect() as connection:
            for item in outgoing:
                message = MailMessage(
                    subject=item.subject,
                    recipients=[item.customer.email],
                    body=item.body,
                    extra_headers={
                        "List-Unsubscribe": f"<{item.unsubscribe_link}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    }
                    if item.unsubscribe_link
                    else None,
                )
                try:
                    connection.send(message)
                except (UnicodeError, smtplib.SMTPRecipientsRefused):
                    failed.append(item.message_id)  # e.g. an address with non-ASCII characters
    else:
        sms, carried = gateway(), {}
        for item in outgoing:
            try:
                carried[item.message_id] = sms.send(item.customer.phone, item.body)
            except (SmsTooLong, SmsSendError):
                failed.append(item.message_id)
        for message_id, provider_id in carried.items():
            if provider_id:  # the provider's delivery report names the message by it
                db.session.execute(update(Message).where(Message.id == message_id).values(provider_id=provider_id))
    sent = [item.message_id for item in outgoing if item.message_id not in failed]
    if sent:
        db.session.execute(update(Message).where(Message.id.in_(sent)).values(status="sent", sent_at=utcnow()))
    if failed:
        db.session.execute(
            update(Message).where(Message.id.in_(failed)).values(status="failed", reason="undeliverable")
        )
    return len(sent)
