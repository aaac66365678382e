"""Passwort vergessen: a single-use email link (24 hours) to set a new password.

The answer is the same for known and unknown addresses, and the time too (the mail is queued,
never sent in the request). Requests are limited per IP and per address (keyed hash), and a
link is issued only to an active login. Setting the new password ends every session of the
login, clears its failed-login count, is a login-history entry, and the login is told by mail
that it happened. Two-factor login stays: the next login still asks for the code."""

from __future__ import annotations

from flask import current_app
from limits import parse
from sqlalchemy import select

from portal import tokens
from portal.auth import lockout
from portal.auth.service import MIN_PASSWORD_LENGTH, Client, record_login_event, set_password
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import Login
from portal.rate_limits import attempts
from portal.transaction import transaction
from portal.validation import normalize_email

PURPOSE = "password-reset"
HOURS = 24
LIMIT_PER_IP = "10 per hour"
LIMIT_PER_ADDRESS = "3 per hour"


class ResetError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction
def request_link(email: str, client: Client) -> None:
    """Queue the mail when the address belongs to an active login; otherwise do nothing. The
    caller shows the same page either way."""
    email = normalize_email(email) or ""
    per_ip = parse(current_app.config.get("PASSWORD_RESET_LIMIT_PER_IP", LIMIT_PER_IP))
    per_address = parse(current_app.config.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", LIMIT_PER_ADDRESS))
    if not attempts.hit(per_ip, "password-reset-ip", lockout.ip_key(client.ip)):
        raise ResetError("throttled")
    if not attempts.hit(per_address, "password-reset-address", lockout.email_key(email)):
        return  # the same answer: nobody learns that the address was asked for before
    login = db.session.scalars(select(Login).where(Login.email == email, Login.active.is_(True))).one_or_none()
    if login is None:
        return
    token = tokens.issue(login.account_id, PURPOSE, {"login_id": login.id}, hours=HOURS)
    queue_email(
        login.account_id,
        login.email,
        "password_reset",
        {
            "link": external_url("password_reset.choose", token=tokens.link_value(token)),
            "hours": HOURS,
            "salon": login.account.name,
        },
        locale=login.locale,
        login_id=login.id,
    )
    record_login_event(login, "password_reset_requested", client, by_self=False)


def login_for_link(token_value: str) -> Login | None:
    """GET: check only (mail programs open links to scan them)."""
    token = tokens.check(token_value, PURPOSE)
    login = db.session.get(Login, token.subject.get("login_id")) if token else None
    if login is None or login.account_id != token.account_id or not login.active:
        return None
    return login


@transaction
def reset(token_value: str, password: str, client: Client) -> Login:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ResetError("password-too-short")
    if login_for_link(token_value) is None:
        raise ResetError("invalid-link")
    token = tokens.consume(token_value, PURPOSE)  # one atomic UPDATE: a second POST finds it used
    if token is None:
        raise ResetError("invalid-link")
    login = db.session.get(Login, token.subject["login_id"])
    set_password(login, password)  # ends every session of this login
    lockout.clear(login.email)
    record_login_event(login, "password_reset", client)
    queue_email(
        login.account_id,
        login.email,
        "password_changed",
        {"salon": login.account.name, "ip": client.ip, "link": external_url("password_reset.forgot")},
        locale=login.locale,
        login_id=login.id,
    )
    return login
