"""Deliver one queued email through Flask-Mail."""

from __future__ import annotations

import socket

from flask import current_app
from flask_mail import Message
from sqlalchemy import update

from portal.extensions import db, mail
from portal.models import OutboundEmail
from portal.models.base import utcnow


def deliver_email(email_id: int) -> str:
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        return "missing"
    if email.status == "sent":
        return "already-sent"  # RQ may run a job twice; the row makes the second run a no-op
    message = Message(
        subject=email.subject,
        recipients=[email.recipient],
        body=email.body_text,
        html=email.body_html or None,
    )
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])  # Flask-Mail sets none itself
    try:
        mail.send(message)
    except Exception:
        db.session.rollback()
        db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == email_id)
            .values(attempts=OutboundEmail.attempts + 1, status="failed")
        )
        db.session.commit()
        raise
    finally:
        socket.setdefaulttimeout(previous)
    # Bodies hold single-use links; once delivered they need not be kept.
    email.status = "sent"
    email.attempts += 1
    email.sent_at = utcnow()
    email.body_text = ""
    email.body_html = ""
    if (email.meta or {}).get("forget_recipient"):
        email.recipient = ""
    db.session.commit()
    return "sent"
