"""Wrong passwords cannot shut the owner out: after five a growing delay (not a lock), a login
with two-factor login not delayed at all, the owners told once per window with the number of
IP addresses, everything in the login history; Redis holds neither addresses nor IPs."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from portal.auth import lockout
from portal.extensions import db
from portal.models import OutboundEmail
from portal.tasks import redis_connection
from tests import factories
from tests.auth.test_two_factor import _next_code, _set_up
from tests.history.helpers import events


def _try(app, email, password, ip="127.0.0.1"):
    return app.test_client().post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
        headers={"Accept-Language": "en"},
    )


def _later(monkeypatch, seconds):
    start = time.time()
    monkeypatch.setattr(lockout, "_now", lambda: start + seconds)


def test_five_wrong_passwords_bring_a_delay_and_one_mail_to_the_owners(app, salon, monkeypatch):
    for n in range(5):
        assert _try(app, salon.staff.email, "falsch-falsch", ip=f"10.0.0.{n % 2 + 1}").status_code == 401
    refused = _try(app, salon.staff.email, factories.PASSWORD)
    assert refused.status_code == 429 and "Please wait 30 seconds" in refused.get_data(as_text=True)
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "login_locked_out")).all()
    assert [m.recipient for m in mails] == [salon.owner.email]
    assert "5 wrong passwords" in mails[0].body_text and "from 2 IP address" in mails[0].body_text
    (locked,) = events("login", action="locked_out")
    assert locked.changes["ip_addresses"]["new"] == 2 and locked.entity_id == salon.staff.id
    # Redis counts under keyed hashes: neither the address nor an IP appears.
    stored = " ".join(k.decode() for k in redis_connection().scan_iter())
    assert salon.staff.email not in stored and "10.0.0.1" not in stored
    # Half a minute later the right password works (and ends the count).
    _later(monkeypatch, 31)
    assert _try(app, salon.staff.email, factories.PASSWORD).status_code == 302
    assert lockout.failures(salon.staff.email) == 0


def test_the_delay_grows_and_the_owners_are_told_once_per_window(app, salon, monkeypatch):
    for _ in range(5):
        _try(app, salon.admin.email, "falsch-falsch")
    _later(monkeypatch, 31)
    assert _try(app, salon.admin.email, "noch-falsch").status_code == 401  # sixth failure: next wait 60 s
    _later(monkeypatch, 61)
    assert "Please wait 30 seconds" in _try(app, salon.admin.email, factories.PASSWORD).get_data(as_text=True)
    _later(monkeypatch, 92)
    assert _try(app, salon.admin.email, factories.PASSWORD).status_code == 302
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "login_locked_out")).all()
    assert len(mails) == 1


def test_a_login_with_two_factor_is_never_delayed(app, salon, login_as):
    secret, _codes = _set_up(login_as(salon.owner))
    for _ in range(7):
        assert _try(app, salon.owner.email, "falsch-falsch").status_code == 401
    client = app.test_client()
    step = client.post("/login", data={"email": salon.owner.email, "password": factories.PASSWORD})
    assert step.headers["Location"].endswith("/login/code")
    assert client.post("/login/code", data={"code": _next_code(secret)}).status_code == 302
    assert client.get("/customers").status_code == 200
    assert lockout.failures(salon.owner.email) == 0
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "login_locked_out")).one()
    assert "uses two-factor login" in mail.body_text
    assert re.search(r"\b7\b", mail.body_text) is None  # told once, at the fifth
    assert pyotp  # the app's codes come from the same library


def test_unknown_addresses_wait_the_same_and_leave_no_history(app, salon):
    for _ in range(5):
        _try(app, "ghost@nowhere.test", "falsch-falsch")
    assert _try(app, "ghost@nowhere.test", "falsch-falsch").status_code == 429
    assert events("login", action="locked_out") == []
