"""Two-factor login (TOTP): set up with a code from the app, ten single-use recovery codes,
each code once, wrong codes limited, required by the owner for owners and exporting admins,
optional for everyone else (the accountant too), every step in the login history."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Login, RecoveryCode
from tests import factories
from tests.history.helpers import events


def _set_up(client) -> tuple[str, list[str]]:
    """Through the pages: start, read the key from the page, confirm with the app's code."""
    page = client.post("/me/two-factor/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by the portal itself
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    confirmed = client.post("/me/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", confirmed.get_data(as_text=True))
    return secret, codes


def _next_code(secret: str) -> str:
    """The app's code of the next 30-second step (accepted: clocks may differ by a step). The
    current step's code was used up by the setup itself."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def _password_step(app, login):
    client = app.test_client()
    response = client.post("/login", data={"email": login.email, "password": factories.PASSWORD})
    return client, response


def test_setup_needs_a_right_code_and_shows_ten_recovery_codes_once(salon, login_as):
    owner = login_as(salon.owner)
    owner.post("/me/two-factor/setup")
    wrong = owner.post("/me/two-factor/confirm", data={"code": "000000"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "This code is not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Login, salon.owner.id).has_two_factor
    _secret, codes = _set_up(owner)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.login_id == salon.owner.id)).all()
    assert len(stored) == 10 and not any(code in hashed for code in codes for hashed in stored)  # hashes only
    assert "two_factor_enabled" in [e.action for e in events("login", entity_id=salon.owner.id)]
    assert "Two-factor login" in owner.get("/me").get_data(as_text=True)


def test_login_asks_for_the_code_and_each_code_counts_once(app, salon, login_as):
    secret, codes = _set_up(login_as(salon.owner))
    client, response = _password_step(app, salon.owner)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert client.get("/customers").status_code == 302  # not logged in by the password alone
    code = _next_code(secret)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/customers").status_code == 200
    # The same code a second time (a replay) opens nothing.
    again, _ = _password_step(app, salon.owner)
    replay = again.post("/login/code", data={"code": code}, headers={"Accept-Language": "en"})
    assert replay.status_code == 422 and "was used already" in replay.get_data(as_text=True)
    # A recovery code works once.
    assert again.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    third, _ = _password_step(app, salon.owner)
    assert third.post("/login/code", data={"code": codes[0]}).status_code == 422
    actions = [e.action for e in events("login", entity_id=salon.owner.id)]
    assert actions.count("login_two_factor") == 1 and actions.count("login_recovery_code") == 1
    assert actions.count("two_factor_failed") == 2


def test_wrong_codes_are_limited_and_the_password_step_expires(app, salon, login_as):
    secret, _codes = _set_up(login_as(salon.owner))
    client, _ = _password_step(app, salon.owner)
    for _ in range(5):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    blocked = client.post("/login/code", data={"code": _next_code(secret)}, headers={"Accept-Language": "en"})
    assert blocked.status_code == 429 and "Too many wrong codes" in blocked.get_data(as_text=True)
    late, _ = _password_step(app, salon.owner)
    with late.session_transaction() as session:  # the password was typed six minutes ago
        session["two_factor"] = {"login_id": salon.owner.id, "at": int(time.time()) - 301, "next": ""}
    assert late.post("/login/code", data={"code": "123456"}).headers["Location"].endswith("/login")


def test_owner_requires_it_for_owners_and_exporting_admins_only(app, salon, login_as):
    owner = login_as(salon.owner)
    assert owner.post("/settings/account", data={"two_factor_required": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).account.two_factor_required
    # The owner, still without it, is led to the setup from every page.
    assert owner.get("/customers").headers["Location"].endswith("/me/two-factor")
    salon.admin.extra_permissions = ["customer.export"]
    db.session.commit()
    admin = login_as(salon.admin)
    assert admin.get("/customers").headers["Location"].endswith("/me/two-factor")
    assert login_as(salon.staff).get("/customers").status_code == 200
    assert login_as(salon.accountant).get("/customers").status_code == 200
    _set_up(owner)
    assert owner.get("/customers").status_code == 200
    off = owner.post(
        "/me/two-factor/off",
        data={"off-password": factories.PASSWORD, "off-code": "123456"},
        headers={"Accept-Language": "en"},
    )
    assert off.status_code == 422 and "cannot be switched off" in off.get_data(as_text=True)
    # Only the owner decides: an administrator's form does not switch it off.
    login_as(salon.admin).post("/settings/account", data={})
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).account.two_factor_required


def test_anyone_may_switch_it_on_and_off_with_password_and_code(app, salon, login_as):
    accountant = login_as(salon.accountant)
    secret, _codes = _set_up(accountant)
    wrong = accountant.post(
        "/me/two-factor/off",
        data={"off-password": "not-the-password", "off-code": "123456"},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 422 and "The password is wrong." in wrong.get_data(as_text=True)
    off = accountant.post(
        "/me/two-factor/off", data={"off-password": factories.PASSWORD, "off-code": _next_code(secret)}
    )
    assert off.status_code == 302
    db.session.expire_all()
    login = db.session.get(Login, salon.accountant.id)
    assert not login.has_two_factor and login.totp_secret is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    actions = [e.action for e in events("login", entity_id=salon.accountant.id)]
    assert "two_factor_enabled" in actions and "two_factor_disabled" in actions


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "\x00" * 6])
def test_malformed_codes_are_refused(app, salon, login_as, code):
    _set_up(login_as(salon.owner))
    client, _ = _password_step(app, salon.owner)
    assert client.post("/login/code", data={"code": code}).status_code == 422
    assert client.get("/customers").status_code == 302
