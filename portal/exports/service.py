"""The bulk customer export: wizard state, confirmation by email link and the recipient's
password, the download (once, or repeatedly within the link's 24 hours), and the withdrawal of
files that an erasure made outdated. The job that writes the file is `exports/build.py`.

Steps are audit events in category "export" with who, when and which fields.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from portal import tokens
from portal.audit import Actor, record
from portal.auth.permissions import ADMINISTRATIVE_ROLES
from portal.exports.columns import HEALTH_FIELD
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import Account, AuditEvent, CustomerExport, ExportChunk, Login
from portal.models.base import utcnow
from portal.tasks import BUILD_EXPORT
from portal.tenancy import scoped
from portal.transaction import KeepChanges, transaction

CONFIRM_PURPOSE = "export-confirm"
DOWNLOAD_PURPOSE = "export-download"
LINK_HOURS = 24
MAX_PASSWORD_TRIES = 5
FORMATS = ("csv", "csv_de", "xlsx")


class ExportError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class PasswordRefused(KeepChanges, ExportError):
    """A wrong password at the confirmation: counted (the fifth locks the export), then refused."""


def event(actor: Actor, export: CustomerExport, action: str, **extra) -> None:
    changes = {"fields": {"old": None, "new": list(export.fields)}, "format": {"old": None, "new": export.file_format}}
    changes.update({k: {"old": None, "new": v} for k, v in extra.items()})
    record(actor, "export", action, "customer_export", export.id, changes, summary=f"#{export.id}")


def recipients(account_id: int) -> list[Login]:
    """Only logins of this salon with administrative rights (the seed's rule)."""
    return list(
        db.session.scalars(
            select(Login)
            .where(
                Login.account_id == account_id,
                Login.role.in_([r.value for r in ADMINISTRATIVE_ROLES]),
                Login.active.is_(True),
                Login.password_hash.is_not(None),
            )
            .order_by(Login.email)
        )
    )


@transaction
def create_draft(actor: Actor) -> CustomerExport:
    export = CustomerExport(
        account_id=actor.account_id, requested_by_id=actor.login_id, status="draft", fields=[], file_format="csv"
    )
    db.session.add(export)
    db.session.flush()
    return export


def _editable(export: CustomerExport) -> None:
    if export.status != "draft":
        raise ExportError("not-editable")


@transaction
def choose_recipient(export: CustomerExport, login_id: int | None) -> None:
    _editable(export)
    if login_id not in {login.id for login in recipients(export.account_id)}:
        raise ExportError("not-admin")
    export.recipient_login_id = login_id


@transaction
def choose_fields(
    export: CustomerExport,
    fields: list[str],
    file_format: str,
    allowed: set[str],
    repeat_downloads: bool = False,
    health_confirmed: bool = False,
) -> None:
    _editable(export)
    chosen = [f for f in fields if f in allowed]
    if not chosen or len(chosen) != len(fields):
        raise ExportError("no-fields" if not fields else "unknown-field")
    if HEALTH_FIELD in chosen and not health_confirmed:
        raise ExportError("health-unconfirmed")  # Art. 9 data leaves the portal only on purpose
    if file_format not in FORMATS:
        raise ExportError("unknown-format")
    export.fields, export.file_format, export.repeat_downloads = chosen, file_format, repeat_downloads


@transaction
def submit(actor: Actor, export: CustomerExport) -> None:
    """Step 3: send the confirmation link to the recipient."""
    _editable(export)
    if export.recipient_login_id is None or not export.fields:
        raise ExportError("incomplete")
    recipient = db.session.get(Login, export.recipient_login_id)
    if recipient is None or recipient.id not in {login.id for login in recipients(export.account_id)}:
        raise ExportError("not-admin")
    export.status = "awaiting_confirmation"
    token = tokens.issue(export.account_id, CONFIRM_PURPOSE, {"export_id": export.id}, hours=LINK_HOURS)
    queue_email(
        export.account_id,
        recipient.email,
        "export_confirm",
        {
            "link": external_url("exports.confirm", token=tokens.link_value(token)),
            "salon": db.session.get(Account, export.account_id).name,
            "requester": db.session.get(Login, export.requested_by_id).display_name,
            "count": len(export.fields),
            "hours": LINK_HOURS,
        },
        locale=recipient.locale,
        login_id=recipient.id,
    )
    event(actor, export, "requested", recipient=recipient.email)


def export_for_token(token_value: str) -> CustomerExport | None:
    token = tokens.check(token_value, CONFIRM_PURPOSE)
    export = db.session.get(CustomerExport, token.subject.get("export_id")) if token else None
    if export is None or export.account_id != token.account_id:
        return None
    return export


@transaction
def confirm(token_value: str, password: str, actor: Actor) -> CustomerExport:
    """The recipient proves who they are with the password of *that* login. Wrong passwords are
    counted (kept even when refused); the fifth locks the export."""
    export = export_for_token(token_value)
    if export is None or export.status != "awaiting_confirmation":
        raise ExportError("invalid-link")
    recipient = db.session.get(Login, export.recipient_login_id)
    if not (recipient.active and recipient.password_hash and check_password_hash(recipient.password_hash, password)):
        # Whoever typed a wrong password is unknown: the events name no login.
        export.failed_attempts += 1
        if export.failed_attempts >= MAX_PASSWORD_TRIES:
            export.status = "locked"
            event(actor, export, "locked", attempts=export.failed_attempts)
            raise PasswordRefused("locked")
        event(actor, export, "confirmation_failed", attempts=export.failed_attempts)
        raise PasswordRefused("wrong-password")
    if tokens.consume(token_value, CONFIRM_PURPOSE) is None:
        raise ExportError("invalid-link")
    actor = Actor(export.account_id, recipient.id, None, actor.ip, actor.request_id, actor.user_agent)
    export.status, export.confirmed_at = "queued", utcnow()
    event(actor, export, "confirmed")
    BUILD_EXPORT.after_commit(export)
    return export


def download_token_check(token_value: str, login: Login) -> CustomerExport:
    token = tokens.check(token_value, DOWNLOAD_PURPOSE)
    export = db.session.get(CustomerExport, token.subject.get("export_id")) if token else None
    downloadable = ("finished", "downloaded") if export and export.repeat_downloads else ("finished",)
    if export is None or export.account_id != login.account_id or export.status not in downloadable:
        raise ExportError("invalid-link")
    if export.recipient_login_id != login.id:
        raise ExportError("not-recipient")
    return export


@transaction
def take_download(token_value: str, login: Login, actor: Actor) -> CustomerExport:
    """Consume the single-use link (the caller streams the chunks, then calls `forget_file`), or,
    for an export with repeated downloads, check it and keep the file until the link expires."""
    export = download_token_check(token_value, login)
    if not export.repeat_downloads and tokens.consume(token_value, DOWNLOAD_PURPOSE) is None:
        raise ExportError("invalid-link")
    export.status, export.download_count = "downloaded", export.download_count + 1
    export.downloaded_at = export.downloaded_at or utcnow()
    event(actor, export, "downloaded", download=export.download_count)
    return export


def chunks(export_id: int):
    """The file, piece by piece, without holding it in memory."""
    last = -1
    while True:
        row = db.session.execute(
            select(ExportChunk.seq, ExportChunk.data)
            .where(ExportChunk.export_id == export_id, ExportChunk.seq > last)
            .order_by(ExportChunk.seq)
            .limit(1)
        ).first()
        if row is None:
            return
        last = row.seq
        yield row.data


@transaction
def forget_file(export_id: int) -> None:
    db.session.execute(delete(ExportChunk).where(ExportChunk.export_id == export_id))


def expire_old(now=None) -> int:
    """Exports whose download link's 24 hours are over: not downloaded, or downloaded with the
    file kept for repeated downloads. The file is deleted, the state becomes expired."""
    now = now or utcnow()
    expired = list(
        db.session.scalars(
            select(CustomerExport).where(
                (CustomerExport.status == "finished")
                | ((CustomerExport.status == "downloaded") & CustomerExport.repeat_downloads.is_(True)),
                CustomerExport.finished_at < now - timedelta(hours=LINK_HOURS),
            )
        )
    )
    for export in expired:
        forget_file(export.id)
        export.status = "expired"
        event(Actor(export.account_id, None), export, "expired")
    return len(expired)


HOLDING_A_FILE = ("finished", "downloaded")
RUNNING = ("queued", "running")


def withdraw_after_erasure(account_id: int) -> int:
    """An erasure must not survive in an export file waiting for its download: every file of the
    salon still held (ready, or downloaded with repeated downloads allowed) is deleted and its
    recipient told to make the export again. A run under way is withdrawn when it finishes
    (`erased_since`). Called in the erasure's transaction."""
    exports = list(
        db.session.scalars(
            select(CustomerExport).where(
                CustomerExport.account_id == account_id,
                CustomerExport.status.in_(HOLDING_A_FILE),
                (CustomerExport.status == "finished") | CustomerExport.repeat_downloads.is_(True),
            )
        )
    )
    for export in exports:
        withdraw(export)
    return len(exports)


def withdraw(export: CustomerExport) -> None:
    forget_file(export.id)
    export.status = "withdrawn"
    event(Actor(export.account_id, None), export, "withdrawn")
    recipient = db.session.get(Login, export.recipient_login_id)
    account = db.session.get(Account, export.account_id)
    queue_email(
        export.account_id,
        recipient.email,
        "export_withdrawn",
        {"salon": account.name},
        locale=recipient.locale,
        login_id=recipient.id,
    )


def erased_since(account_id: int, moment) -> bool:
    """Was a customer of the salon erased after `moment` (the start of an export run)?"""
    return (
        db.session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.account_id == account_id,
                AuditEvent.category == "customer",
                AuditEvent.action == "erased",
                AuditEvent.occurred_at >= moment,
            )
            .limit(1)
        )
        is not None
    )


# --- what the pages read ----------------------------------------------------------------------


def recent(account_id: int, limit: int = 100) -> list[CustomerExport]:
    return db.session.scalars(
        scoped(CustomerExport, account_id).order_by(CustomerExport.created_at.desc()).limit(limit)
    ).all()


def logins_by_id(account_id: int) -> dict[int, Login]:
    return {login.id: login for login in db.session.scalars(scoped(Login, account_id))}


def recipient_of(export: CustomerExport) -> Login | None:
    return db.session.get(Login, export.recipient_login_id) if export.recipient_login_id else None


def timeline(export: CustomerExport) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.account_id == export.account_id,
            AuditEvent.entity_type == "customer_export",
            AuditEvent.entity_id == export.id,
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
