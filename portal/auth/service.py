"""Authentication, passwords, invitations. No request/session here: callers pass ip and actor."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from limits import parse
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal import tokens
from portal.audit import Actor, field_changes, record
from portal.auth import lockout
from portal.auth.permissions import GRANTABLE, Role
from portal.auth.sessions import revoke_all, revoke_session
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import Login
from portal.rate_limits import attempts
from portal.transaction import KeepChanges, transaction
from portal.validation import normalize_email

INVITE_PURPOSE = "login-invite"
INVITE_HOURS = 72
MIN_PASSWORD_LENGTH = 10
# A hash to compare against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


class AuthError(Exception):
    """A failure the user may see; `code` picks the message in the view (`seconds`: how long
    to wait, for "wait")."""

    def __init__(self, code: str, seconds: int = 0):
        super().__init__(code)
        self.code = code
        self.seconds = seconds


class LoginRefused(KeepChanges, AuthError):
    """A refused login: the attempt stays in the login history and the counters."""


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=current_app.config["PASSWORD_HASH_METHOD"])


# --- login throttling: per IP (any attempt); per address a delay (portal/auth/lockout.py) --


def _limit(config_key: str):
    return parse(current_app.config[config_key])


def ip_blocked(ip: str) -> bool:
    return not attempts.test(_limit("LOGIN_LIMIT_PER_IP"), "login-ip", lockout.ip_key(ip))


def forget_login_attempts(emails: list[str]) -> None:
    """The failed-login counters of these addresses go (an erasure leaves nothing keyed by them)."""
    lockout.clear(*emails)


@dataclass(frozen=True)
class Client:
    """Where a login attempt comes from; recorded in the login history."""

    ip: str = ""
    user_agent: str = ""
    request_id: str = ""


def record_login_event(login: Login, action: str, client: Client, by_self: bool = True) -> None:
    """Login history: every event is filed under the login it concerns (entity), and names that
    login as actor only when it is known to be that person (not for failed attempts)."""
    actor = Actor(
        login.account_id, login.id if by_self else None, None, client.ip, client.request_id, client.user_agent
    )
    record(actor, "login", action, "login", login.id, summary=login.email)


@transaction
def authenticate(email: str, password: str, client: Client) -> Login:
    """The login for these credentials, or AuthError('invalid'|'throttled'|'wait'). One generic
    error for unknown email, wrong password and disabled login, so nobody can probe who exists.
    A login with two-factor login is returned after the password only for the code step
    (portal/two_factor). Attempts on a known login are written to its history; the caller
    keeps the record either way."""
    email = normalize_email(email) or ""
    login = db.session.scalars(select(Login).where(Login.email == email)).one_or_none()
    if ip_blocked(client.ip):
        raise LoginRefused("throttled")
    wait = lockout.wait_seconds(email)
    if wait and not (login is not None and login.has_two_factor):
        if login is not None:
            record_login_event(login, "login_delayed", client, by_self=False)
        raise LoginRefused("wait", seconds=wait)
    password_ok = check_password_hash(login.password_hash if login and login.password_hash else _DUMMY_HASH, password)
    ok = bool(login and login.password_hash and password_ok and login.active)
    attempts.hit(_limit("LOGIN_LIMIT_PER_IP"), "login-ip", lockout.ip_key(client.ip))
    if not ok:
        fails, ips = lockout.record_failure(email, client.ip)
        if login is not None:
            record_login_event(login, "login_failed", client, by_self=False)
            if lockout.just_reached_limit(fails):
                _locked_out(login, client, fails, ips)
        raise LoginRefused("invalid")
    if not login.has_two_factor:
        lockout.clear(email)
        record_login_event(login, "login", client)
    return login


def _locked_out(login: Login, client: Client, fails: int, ips: int) -> None:
    """The limit is reached: a history entry, and the owners are told once per window."""
    actor = Actor(login.account_id, None, None, client.ip, client.request_id, client.user_agent)
    record(
        actor,
        "login",
        "locked_out",
        "login",
        login.id,
        {"failed_attempts": {"old": None, "new": fails}, "ip_addresses": {"old": None, "new": ips}},
        summary=login.email,
    )
    if not lockout.first_notice_in_window(login.id):
        return
    owners = db.session.scalars(
        select(Login).where(Login.account_id == login.account_id, Login.role == Role.OWNER, Login.active.is_(True))
    ).all()
    for owner in owners:
        queue_email(
            login.account_id,
            owner.email,
            "login_locked_out",
            {
                "login_email": login.email,
                "attempts": fails,
                "ips": ips,
                "salon": login.account.name,
                "has_two_factor": login.has_two_factor,
            },
            locale=owner.locale,
            login_id=owner.id,
        )


@transaction
def change_password(login: Login, current: str, new: str, client: Client) -> None:
    if not login.password_hash or not check_password_hash(login.password_hash, current):
        raise AuthError("wrong-current-password")
    set_password(login, new)
    record_login_event(login, "password_changed", client)


@transaction
def log_out(login: Login, session_id: str | None, client: Client) -> None:
    revoke_session(session_id)
    record_login_event(login, "logout", client)


@transaction
def set_locale(login: Login, locale: str) -> None:
    login.locale = locale


def set_password(login: Login, new: str) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AuthError("password-too-short")
    login.password_hash = hash_secret(new)
    revoke_all(login)


# --- team management ---------------------------------------------------------------------


@dataclass
class InviteResult:
    login: Login
    email_id: int


@transaction
def invite_login(actor: Actor, email: str, name: str, role: str, locale: str, invited_by: Login) -> InviteResult:
    account_id = actor.account_id
    email = normalize_email(email) or ""
    if db.session.scalar(select(func.count()).select_from(Login).where(Login.email == email)):
        raise AuthError("email-taken")
    login = Login(
        account_id=account_id,
        email=email,
        name=(name or "").strip(),
        role=Role(role).value,
        locale=locale,
        extra_permissions=[],
        active=True,
    )
    db.session.add(login)
    db.session.flush()
    record(
        actor,
        "setting",
        "created",
        "login",
        login.id,
        field_changes({"email": (None, email), "role": (None, login.role)}),
        summary=email,
    )
    token = tokens.issue(account_id, INVITE_PURPOSE, {"login_id": login.id}, hours=INVITE_HOURS)
    sent = queue_email(
        account_id,
        email,
        "login_invite",
        {
            "link": external_url("auth.accept_invite", token=tokens.link_value(token)),
            "salon": invited_by.account.name,
            "inviter": invited_by.display_name,
            "hours": INVITE_HOURS,
        },
        locale=locale,
        login_id=login.id,
    )
    return InviteResult(login, sent.id)


@transaction
def accept_invite(token_value: str, password: str, client: Client) -> Login:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError("password-too-short")
    token = tokens.consume(token_value, INVITE_PURPOSE)
    if token is None:
        raise AuthError("invalid-token")
    login = db.session.get(Login, token.subject.get("login_id"))
    if login is None or login.account_id != token.account_id or not login.active:
        raise AuthError("invalid-token")
    set_password(login, password)
    record_login_event(login, "password_set", client)
    return login


def owner_count(account_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Login)
        .where(Login.account_id == account_id, Login.role == Role.OWNER, Login.active.is_(True))
    )


@transaction
def update_login(actor: Actor, target: Login, role: str, grants: list[str], active: bool) -> None:
    """Change role, admin grants or activity; the salon always keeps one active owner."""
    new_role = Role(role)
    losing_owner = target.role == Role.OWNER and (new_role is not Role.OWNER or not active)
    if losing_owner and owner_count(target.account_id) <= 1:
        raise AuthError("last-owner")
    if target.id == actor.login_id and not active:
        raise AuthError("cannot-deactivate-self")
    if target.id == actor.login_id and target.role != new_role.value:
        raise AuthError("cannot-change-own-role")  # another owner decides that
    allowed = {p.value for p in GRANTABLE.get(new_role, ())}
    new_grants = sorted(g for g in grants if g in allowed)
    changes = {
        name: (old, new)
        for name, old, new in (
            ("role", target.role, new_role.value),
            ("extra_permissions", sorted(target.extra_permissions or []), new_grants),
            ("active", bool(target.active), bool(active)),
        )
        if old != new
    }
    if not changes:
        return
    target.role = new_role.value
    target.extra_permissions = new_grants
    if target.active and not active:
        revoke_all(target)
    target.active = active
    record(actor, "setting", "updated", "login", target.id, field_changes(changes), summary=target.email)
