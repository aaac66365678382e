"""Two-factor login with an authenticator app (TOTP, RFC 6238, via pyotp).

Optional for every login; required for owners and for administrators with the export grant
once the owner switches it on for the salon (`Account.two_factor_required`). Setting up keeps
the new secret as pending until a code from the app proves it was scanned; then ten
single-use recovery codes are shown once and stored as hashes. A code counts once: the
30-second step it belongs to is stored, and a code of that step or an earlier one is refused.
Enabling, disabling, every use and every failure are login-history entries."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
from flask import current_app
from limits import parse
from sqlalchemy import delete, or_, select, update
from werkzeug.security import check_password_hash

from portal.auth import lockout
from portal.auth.permissions import Permission, Role
from portal.auth.service import Client, hash_secret, record_login_event
from portal.extensions import db
from portal.models import Login, RecoveryCode
from portal.models.base import utcnow
from portal.rate_limits import attempts
from portal.transaction import KeepChanges, transaction

ISSUER = "Salon Privacy Portal"
RECOVERY_CODES = 10
STEP_SECONDS = 30
CODE_LIMIT = "5 per 10 minutes"  # wrong codes per login
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


class TwoFactorError(KeepChanges, Exception):
    """Refused; what happened stays recorded (a wrong code is counted and in the login history)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def required_for(login: Login) -> bool:
    """The salon requires it of owners and of administrators who may export every customer."""
    if not login.account.two_factor_required:
        return False
    return login.role == Role.OWNER or (
        login.role == Role.ADMIN and Permission.CUSTOMER_EXPORT.value in (login.extra_permissions or [])
    )


def needs_enrollment(login: Login) -> bool:
    return required_for(login) and not login.has_two_factor


@transaction
def start_setup(login: Login) -> str:
    """A new secret, kept as pending until confirmed (an active one stays in use until then)."""
    login.totp_pending_secret = pyotp.random_base32()
    return login.totp_pending_secret


def provisioning_uri(login: Login, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login.email, issuer_name=f"{ISSUER} – {login.account.name}")


def qr_code(uri: str) -> str:
    """The otpauth link as an SVG QR code (a data: URI; drawn here, no outside service)."""
    import segno  # the QR code, only while setting up: `portal.lazy_imports`

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret for typing in by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(c for c in (code or "") if c.isdigit())


def _accept_totp(login: Login, secret: str, code: str) -> bool:
    """True when `code` belongs to the current step or one step either side and no code of that
    step or a later one was accepted before (single use, also against two requests at once)."""
    code = _digits(code)
    if len(code) != 6:
        return False
    totp, now_step = pyotp.TOTP(secret), int(time.time()) // STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            taken = db.session.execute(
                update(Login)
                .where(Login.id == login.id, or_(Login.totp_last_step.is_(None), Login.totp_last_step < step))
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.expire(login, ["totp_last_step"])
            return taken == 1
    return False


def new_recovery_codes(login: Login) -> list[str]:
    """Ten fresh codes (the old ones stop working); only their hashes are stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.login_id == login.id))
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2)) for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(
        [RecoveryCode(account_id=login.account_id, login_id=login.id, code_hash=hash_secret(code)) for code in codes]
    )
    return codes


@transaction
def confirm_setup(login: Login, code: str, client: Client) -> list[str]:
    if not login.totp_pending_secret:
        raise TwoFactorError("no-setup")
    if not _accept_totp(login, login.totp_pending_secret, code):
        raise TwoFactorError("wrong-code")
    login.totp_secret, login.totp_pending_secret = login.totp_pending_secret, None
    login.totp_enabled_at = utcnow()
    record_login_event(login, "two_factor_enabled", client)
    return new_recovery_codes(login)


@transaction
def regenerate_codes(login: Login, code: str, client: Client) -> list[str]:
    _check_code_limit(login)
    if not login.has_two_factor or not _accept_totp(login, login.totp_secret, code):
        _failed(login, client)
        raise TwoFactorError("wrong-code")
    record_login_event(login, "recovery_codes_renewed", client)
    return new_recovery_codes(login)


@transaction
def disable(login: Login, password: str, code: str, client: Client) -> None:
    if required_for(login):
        raise TwoFactorError("required")
    _check_code_limit(login)
    if not (login.password_hash and check_password_hash(login.password_hash, password or "")):
        raise TwoFactorError("wrong-password")
    if not _accept_totp(login, login.totp_secret, code):
        _failed(login, client)
        raise TwoFactorError("wrong-code")
    login.totp_secret = login.totp_pending_secret = login.totp_enabled_at = login.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.login_id == login.id))
    record_login_event(login, "two_factor_disabled", client)


def _limit():
    return parse(current_app.config.get("TWO_FACTOR_CODE_LIMIT", CODE_LIMIT))


def _check_code_limit(login: Login) -> None:
    if not attempts.test(_limit(), "two-factor", str(login.id)):
        raise TwoFactorError("wait")


def _failed(login: Login, client: Client) -> None:
    attempts.hit(_limit(), "two-factor", str(login.id))
    record_login_event(login, "two_factor_failed", client, by_self=False)


@transaction
def verify_login(login: Login, code: str, client: Client) -> str:
    """The second step of a login: an app code ("totp") or a recovery code ("recovery")."""
    _check_code_limit(login)
    if _accept_totp(login, login.totp_secret, code):
        record_login_event(login, "login_two_factor", client)
        return "totp"
    typed = (code or "").strip().lower().replace(" ", "")
    if len(typed) == 11:
        for stored in db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.login_id == login.id, RecoveryCode.used_at.is_(None))
        ):
            if check_password_hash(stored.code_hash, typed):
                used = db.session.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow())
                ).rowcount
                if used == 1:
                    record_login_event(login, "login_recovery_code", client)
                    return "recovery"
    _failed(login, client)
    raise TwoFactorError("wrong-code")


def pending_login(login_id: int | None) -> Login | None:
    """The login whose password was right and whose code step is open."""
    return db.session.get(Login, login_id) if login_id else None


def recovery_codes_left(login: Login) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.login_id == login.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def login_completed(login: Login) -> None:
    """The code was right: the failed-password count of this address ends, as after any login."""
    lockout.clear(login.email)
