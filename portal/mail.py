"""Builds emails from templates/email/<name>.txt|.html and queues them for the mail job.

Mail leaves only from jobs. The subject is the template's `{% set subject = ... %}`.
"""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import force_locale

from portal.extensions import db
from portal.models import OutboundEmail
from portal.tasks import enqueue_after_commit


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
    enqueue_after_commit(db.session, "jobs.mail.deliver_email", email.id, queue="emails", job_id=f"email-{email.id}")
    return email
