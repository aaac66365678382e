"""Logins: generic errors, rate limits, fresh sessions, logout, idle timeout, password change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Login, LoginSession
from portal.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token_from

GENERIC = "Email or password is wrong"


def _login(client, email, password, **headers):
    return client.post("/login", data={"email": email, "password": password}, headers=headers)


def _text(response):
    return response.get_data(as_text=True)


def test_login_success_opens_server_session(client, salon):
    response = _login(client, salon.owner.email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/overview"
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.login_id == salon.owner.id)).all()
    assert len(sessions) == 1 and sessions[0].revoked_at is None
    assert client.get("/overview").status_code == 200


def test_wrong_password_unknown_email_and_disabled_login_get_the_same_message(client, salon):
    salon.staff.active = False
    db.session.commit()
    for email, password in (
        (salon.owner.email, "wrong-password"),
        ("nobody@nowhere.test", factories.PASSWORD),
        (salon.staff.email, factories.PASSWORD),
    ):
        client.set_cookie("spp_session", "", expires=0)
        response = client.post("/login", data={"email": email, "password": password}, headers={"Accept-Language": "en"})
        assert response.status_code == 401
        assert GENERIC in _text(response)
    assert db.session.scalar(select(LoginSession.id)) is None


def test_message_is_german_by_default(client, salon):
    response = _login(client, salon.owner.email, "nope-nope-nope")
    assert "E-Mail oder Passwort ist falsch" in _text(response)


def test_missing_fields_are_explained(client):
    response = client.post("/login", data={"email": "", "password": ""}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please enter your email." in _text(response)


def test_login_is_rate_limited_per_account(client, salon):
    for _ in range(5):
        assert _login(client, salon.owner.email, "wrong-password-x").status_code == 401
    # Even the right password is refused now, with a clear message.
    response = _login(client, salon.owner.email, factories.PASSWORD, **{"Accept-Language": "en"})
    assert response.status_code == 429
    assert "Too many wrong passwords for this login. Please wait 30 seconds" in _text(response)
    # Another account from the same IP is not locked by this.
    assert _login(client, salon.admin.email, factories.PASSWORD).status_code == 302


def test_login_is_rate_limited_per_ip(app, client, salon):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 10 minutes"
    try:
        for n in range(3):
            _login(client, f"someone{n}@nowhere.test", "whatever-password")
        assert _login(client, salon.owner.email, factories.PASSWORD).status_code == 429
        other_ip = app.test_client()
        response = other_ip.post(
            "/login",
            data={"email": salon.owner.email, "password": factories.PASSWORD},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        )
        assert response.status_code == 302
    finally:
        app.config["LOGIN_LIMIT_PER_IP"] = "20 per 10 minutes"


def test_login_replaces_the_old_session(client, salon, login_as):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login_as(salon.owner, client)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_invalidates_the_session_even_if_the_cookie_is_replayed(client, salon, login_as):
    login_as(salon.owner, client)
    cookie = client.get_cookie("spp_session").value
    assert client.post("/logout").status_code == 302
    replay = client.application.test_client()
    replay.set_cookie("spp_session", cookie)
    response = replay.get("/overview")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_session_expires(client, salon, login_as):
    login_as(salon.owner, client)
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert client.get("/overview").status_code == 302


def test_password_change_logs_out_other_devices(app, salon, login_as):
    laptop = login_as(salon.owner)
    tablet = login_as(salon.owner)
    response = laptop.post(
        "/me",
        data={
            "current_password": factories.PASSWORD,
            "password": "a-new-long-password",
            "password_repeat": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/overview").status_code == 200
    assert tablet.get("/overview").status_code == 302
    fresh = app.test_client()
    assert _login(fresh, salon.owner.email, factories.PASSWORD).status_code == 401
    assert _login(fresh, salon.owner.email, "a-new-long-password").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(salon, login_as):
    client = login_as(salon.owner)
    old_hash = salon.owner.password_hash
    response = client.post(
        "/me",
        data={
            "current_password": "not-it-at-all",
            "password": "a-new-long-password",
            "password_repeat": "a-new-long-password",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "The current password is wrong." in _text(response)
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).password_hash == old_hash
    assert client.get("/overview").status_code == 200


def test_deactivated_login_loses_its_sessions(salon, login_as):
    staff_client = login_as(salon.staff)
    owner = login_as(salon.owner)
    response = owner.post(f"/settings/team/logins/{salon.staff.id}", data={"role": "staff"})
    assert response.status_code == 302
    assert staff_client.get("/customers").status_code == 302


def test_open_redirect_is_refused(client, salon):
    response = client.post(
        "/login", data={"email": salon.owner.email, "password": factories.PASSWORD, "next": "//evil.example/steal"}
    )
    assert response.headers["Location"] == "/overview"


def test_csrf_is_enforced_on_posts(app, client, salon, csrf_on, login_as):
    page = client.get("/login")
    token = csrf_token_from(_text(page))
    # Without the token: refused, nothing happens.
    response = client.post("/login", data={"email": salon.owner.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert db.session.scalar(select(LoginSession.id)) is None
    response = client.post(
        "/login", data={"email": salon.owner.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    # htmx requests carry it in a header (hx-headers on <body>).
    customer_id = factories.make_customer(salon.account, "Alt")
    body_token = csrf_token_from(_text(client.get(f"/customers/{customer_id}")))
    response = client.post(f"/customers/{customer_id}", data={"last_name": "Neu"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    response = client.post(
        f"/customers/{customer_id}",
        data={"last_name": "Neu", "country": "DE"},
        headers={"HX-Request": "true", "X-CSRFToken": body_token},
    )
    assert response.status_code == 200


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://portal.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_in_pages(salon, login_as):
    client = login_as(salon.owner)
    html = _text(client.get("/customers"))
    assert "<script>" not in html and "onclick=" not in html


def test_pages_send_no_new_cookie_and_the_cookie_ends_ten_hours_after_it_last_changed(client, salon, monkeypatch):
    import time

    _login(client, salon.owner.email, factories.PASSWORD)
    client.get("/overview")  # the page's forms put their CSRF token into the cookie
    again = client.get("/overview")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    signed_at = time.time()
    for hours in (5, 9.9):  # pages in between do not extend the signed cookie
        monkeypatch.setattr(time, "time", lambda hours=hours: signed_at + hours * 3600)
        assert client.get("/overview").status_code == 200
    monkeypatch.setattr(time, "time", lambda: signed_at + 10 * 3600 + 60)
    expired = client.get("/overview")
    assert expired.status_code == 302 and expired.headers["Location"].startswith("/login")
