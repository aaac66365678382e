"""Login-history export: the owner asks for one login's history over at most a year; a job
builds the CSV and mails the owner a single-use download link that expires after 7 days."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from portal import tokens
from portal.audit import Actor, record
from portal.csv_safe import to_csv
from portal.extensions import db
from portal.history.display import action_label
from portal.history.queries import day_start
from portal.mail import external_url, queue_email
from portal.models import Account, AuditEvent, Login, LoginHistoryExport, StoredFile
from portal.models.base import utcnow
from portal.tasks import BUILD_LOGIN_HISTORY
from portal.transaction import transaction
from portal.web.words import force_locale

DOWNLOAD_PURPOSE = "download"
DOWNLOAD_DAYS = 7


@transaction
def request_login_history(actor: Actor, requester: Login, login_id: int, start: date, end: date) -> LoginHistoryExport:
    login = db.session.get(Login, login_id)
    if login is None or login.account_id != actor.account_id:
        raise ValueError("login of another salon")
    export = LoginHistoryExport(
        account_id=actor.account_id, requested_by_id=requester.id, login_id=login.id, period_start=start, period_end=end
    )
    db.session.add(export)
    db.session.flush()
    # The export is itself part of the exported login's history.
    record(
        actor,
        "login",
        "exported",
        "login",
        login.id,
        {"period": {"old": None, "new": f"{start.isoformat()} – {end.isoformat()}"}},
        summary=login.email,
    )
    BUILD_LOGIN_HISTORY.after_commit(export)
    return export


def build_login_history(export_id: int) -> str:
    """The job's work; idempotent through the export row's status."""
    export = db.session.get(LoginHistoryExport, export_id)
    if export is None:
        return "missing"
    if export.status == "done":
        return "already-done"
    account = db.session.get(Account, export.account_id)
    requester = db.session.get(Login, export.requested_by_id)
    login = db.session.get(Login, export.login_id)
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.account_id == export.account_id,
            AuditEvent.category == "login",
            AuditEvent.entity_type == "login",
            AuditEvent.entity_id == login.id,
            AuditEvent.occurred_at >= day_start(export.period_start, account.timezone),
            AuditEvent.occurred_at < day_start(export.period_end + timedelta(days=1), account.timezone),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    zone = ZoneInfo(account.timezone)
    with force_locale(requester.locale):
        header = [
            _("Time (%(zone)s)", zone=account.timezone),
            _("Event"),
            _("Login"),
            _("IP address"),
            _("Browser (as it reported itself)"),
            _("Request id"),
        ]
        rows = [
            [
                e.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                action_label(e.action),
                login.email,
                e.ip,
                e.user_agent,
                e.request_id,
            ]
            for e in events
        ]
    stored = StoredFile(
        account_id=account.id,
        kind="login_history",
        filename=f"login-history-{login.id}-{export.period_start.isoformat()}-{export.period_end.isoformat()}.csv",
        content=to_csv(header, rows),
        expires_at=utcnow() + timedelta(days=DOWNLOAD_DAYS),
    )
    db.session.add(stored)
    db.session.flush()
    token = tokens.issue(account.id, DOWNLOAD_PURPOSE, {"file_id": stored.id}, hours=24 * DOWNLOAD_DAYS)
    queue_email(
        account.id,
        requester.email,
        "login_history_ready",
        {
            "link": external_url("history.download", token=tokens.link_value(token)),
            "login_email": login.email,
            "start": export.period_start,
            "end": export.period_end,
            "rows": len(rows),
            "days": DOWNLOAD_DAYS,
        },
        locale=requester.locale,
        login_id=requester.id,
    )
    export.status, export.rows, export.file_id, export.finished_at = "done", len(rows), stored.id, utcnow()
    db.session.commit()
    return "done"
