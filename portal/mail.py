"""Builds emails from templates/email/<name>.txt|.html, queues them for the mail job, and
delivers them (in that job) through Flask-Mail.

Mail leaves only from jobs. The subject is the template's `{% set subject = ... %}`.
"""

from __future__ import annotations

import socket
from email.utils import parseaddr

from flask import current_app, request, url_for
from flask_mail import Message
from sqlalchemy import select, update

from portal.extensions import db, mail
from portal.models import Account, Login, OutboundEmail
from portal.models.base import utcnow
from portal.tasks import DELIVER_EMAIL
from portal.web.words import force_locale


def external_url(endpoint: str, **values) -> str:
    """An absolute link, inside a request or not (jobs, CLI)."""
    if request:
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def _render(name: str, context: dict) -> tuple[str, str, str]:
    env = current_app.jinja_env
    ctx = dict(context)
    current_app.update_template_context(ctx)
    text_module = env.get_template(f"email/{name}.txt").make_module(ctx)
    text = str(text_module).strip() + "\n"
    html = env.get_template(f"email/{name}.html").render({**ctx, "text_body": text})
    subject = str(getattr(text_module, "subject", "")).strip()
    return subject, text, html


def queue_email(
    account_id: int,
    recipient: str,
    template: str,
    context: dict,
    locale: str = "de",
    login_id: int | None = None,
    forget_recipient: bool = False,
) -> OutboundEmail:
    """Render now, send from a job. `forget_recipient`: blank the address once sent (a mail to
    someone whose data was just erased must not keep their address)."""
    with force_locale(locale):
        subject, text, html = _render(template, context)
    email = OutboundEmail(
        account_id=account_id,
        template=template,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        login_id=login_id,
        meta={"forget_recipient": True} if forget_recipient else {},
    )
    db.session.add(email)
    db.session.flush()
    DELIVER_EMAIL.after_commit(email)
    return email


def mail_owners(account: Account, template: str, context: dict) -> None:
    """One mail to each active owner of the salon, in their language."""
    owners = db.session.scalars(
        select(Login).where(Login.account_id == account.id, Login.role == "owner", Login.active.is_(True))
    )
    for owner in owners:
        queue_email(account.id, owner.email, template, context, locale=owner.locale, login_id=owner.id)


def sender_of(account_id: int | None) -> tuple[str, str]:
    """The salon's name as the display name, the portal's own address (SPF, DKIM) as sender."""
    configured_name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")
    account = db.session.get(Account, account_id) if account_id else None
    return (account.name if account else configured_name) or configured_name, address


def deliver(email_id: int) -> str:
    """Send one queued email; a second run for a sent one does nothing."""
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        return "missing"
    if email.status == "sent":
        return "already-sent"  # RQ may run a job twice; the row makes the second run a no-op
    message = Message(
        subject=email.subject,
        sender=sender_of(email.account_id),
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
