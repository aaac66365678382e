"""Sending marketing messages that have their rows already (claimed first, so a retry never sends
twice): the text with the customer's placeholders and unsubscribe link, by email over one SMTP
connection or by SMS through the gateway; then each row marked sent or failed. Campaigns and
automations share it."""

from __future__ import annotations

import binascii
import smtplib
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy import update

from portal.extensions import db, mail
from portal.mail import sender_of
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


def send(channel: str, outgoing: list[Outgoing], account_id: int) -> int:
    """Send and record; returns how many went out. The rows (and the unsubscribe links' tokens)
    are committed before anything leaves."""
    failed = []
    if channel == "email":
        failed = _send_emails(outgoing, account_id)
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


def raw_email(sender: str, to: str, subject: str, body: str, domain: str, headers: dict[str, str]) -> bytes:
    """One plain-text message as the SMTP server receives it (RFC 5322 with MIME): headers in
    ASCII (RFC 2047 words where a value is not), the body UTF-8 as quoted-printable. Written by
    hand because the email package's EmailMessage took 0.8 ms a message — more than the SMTP
    round trip — for what is the same text every time but for the names and the link."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {_header(subject)}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {make_msgid(domain=domain)}",
        *(f"{name}: {_header(value)}" for name, value in headers.items()),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]
    text = "\r\n".join(body.splitlines()).encode()
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + binascii.b2a_qp(text, istext=True) + b"\r\n"


def _header(value: str) -> str:
    value = " ".join(value.splitlines())  # no header injection through a line break
    return value if value.isascii() else Header(value, "utf-8").encode()


def _send_emails(outgoing: list[Outgoing], account_id: int) -> list[int]:
    """One SMTP connection for the batch. Returns the ids of messages the server refused."""
    name, address = sender_of(account_id)
    sender = formataddr((name, address))  # a name that is not ASCII comes out as an RFC 2047 word
    domain = address.rpartition("@")[2] or "localhost"
    failed = []
    with mail.connect() as connection:
        for item in outgoing:
            headers = {}
            if item.unsubscribe_link:
                headers = {
                    "List-Unsubscribe": f"<{item.unsubscribe_link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
            message = raw_email(sender, item.customer.email, item.subject, item.body, domain, headers)
            try:
                connection.host.sendmail(address, [item.customer.email], message)
            except (UnicodeError, ValueError, smtplib.SMTPRecipientsRefused):
                failed.append(item.message_id)  # e.g. an address with non-ASCII characters
    return failed
