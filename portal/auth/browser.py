"""The browser's side of a login: the new server-side session, and the half-way state between
password and two-factor code."""

from __future__ import annotations

import time

from flask import g, request, session
from flask_login import login_user

from portal.auth.service import Client
from portal.auth.sessions import open_session

PENDING_SECONDS = 300  # the code must follow the password within five minutes


def client() -> Client:
    return Client(request.remote_addr or "", (request.user_agent.string or "")[:300], g.get("request_id", ""))


def start_session(login) -> None:
    # A fresh session on every login: nothing from before (fixation) survives.
    session.clear()
    record = open_session(login, request.remote_addr or "", request.user_agent.string or "")
    login.session_id = record.id
    login_user(login, remember=False)
    session.permanent = True


def await_second_factor(login, next_path: str) -> None:
    """The password was right; the login is not open until the code follows. Only the login's
    number and the time go into the (signed) cookie."""
    session.clear()
    session["two_factor"] = {"login_id": login.id, "at": int(time.time()), "next": next_path or ""}


def pending_login_id() -> int | None:
    pending = session.get("two_factor") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending.get("login_id")


def pending_next() -> str:
    return (session.get("two_factor") or {}).get("next", "")
