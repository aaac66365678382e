"""Passwort vergessen: the same answer for every address, a single-use link valid 24 hours
(GET only shows), every session ended, a history entry and a mail that it happened; limited
per address and per IP; two-factor login stays."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import EmailToken, OutboundEmail
from portal.models.base import utcnow
from tests import factories
from tests.history.helpers import events
from tests.privacy.helpers import link_path

NEW = "ein-ganz-neues-passwort"


def _ask(client, email, **headers):
    return client.post("/password/forgot", data={"email": email}, headers={"Accept-Language": "en", **headers})


def _link() -> str:
    db.session.expire_all()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "password_reset")).one()
    return link_path(re.search(r"https?://\S+", mail.body_text).group(0))


def test_known_and_unknown_addresses_get_the_same_answer(client, salon):
    known, unknown = _ask(client, salon.owner.email.upper()), _ask(client, "nobody@nowhere.test")
    assert known.status_code == unknown.status_code == 200
    text = known.get_data(as_text=True)
    assert "If this address belongs to a login" in text and text == unknown.get_data(as_text=True)
    mails = db.session.scalars(select(OutboundEmail.recipient).where(OutboundEmail.template == "password_reset")).all()
    assert mails == [salon.owner.email]
    assert "password_reset_requested" in [e.action for e in events("login", entity_id=salon.owner.id)]


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client, salon, login_as):
    elsewhere = login_as(salon.owner)  # a device still logged in
    _ask(client, salon.owner.email)
    path = _link()
    page = client.get(path)
    assert page.status_code == 200 and salon.owner.email in page.get_data(as_text=True)
    assert client.get(path).status_code == 200  # GET consumed nothing
    short = client.post(path, data={"password": "kurz", "password_repeat": "kurz"})
    assert short.status_code == 422
    done = client.post(path, data={"password": NEW, "password_repeat": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert elsewhere.get("/customers").status_code == 302  # logged out everywhere
    assert (
        client.post(path, data={"password": "noch-ein-anderes", "password_repeat": "noch-ein-anderes"}).status_code
        == 410
    )
    assert app.test_client().post("/login", data={"email": salon.owner.email, "password": NEW}).status_code == 302
    assert "password_reset" in [e.action for e in events("login", entity_id=salon.owner.id)]
    told = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "password_changed")).one()
    assert told.recipient == salon.owner.email


def test_an_expired_or_tampered_link_is_refused(client, salon):
    _ask(client, salon.owner.email)
    path = _link()
    assert client.get(path[:-3] + "xyz").status_code == 410
    token = db.session.scalars(select(EmailToken).where(EmailToken.purpose == "password-reset")).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(path, data={"password": NEW, "password_repeat": NEW}).status_code == 410
    assert client.post("/login", data={"email": salon.owner.email, "password": factories.PASSWORD}).status_code == 302


def test_requests_are_limited_per_address_and_per_ip(app, client, salon):
    for _ in range(5):
        assert _ask(client, salon.staff.email).status_code == 200
    sent = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "password_reset")).all()
    assert len(sent) == 3  # per address: three an hour, the answer unchanged
    for n in range(5):
        _ask(client, f"someone{n}@nowhere.test")
    refused = _ask(client, salon.admin.email)
    assert refused.status_code == 429 and "Too many requests from this network" in refused.get_data(as_text=True)
    other_network = app.test_client()
    answer = other_network.post(
        "/password/forgot", data={"email": salon.admin.email}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert answer.status_code == 200


def test_bad_input_gets_a_message(client):
    response = _ask(client, "")
    assert response.status_code == 422 and "Please enter your email." in response.get_data(as_text=True)
    assert _ask(client, "keine-adresse\x00").status_code == 200  # no login has it: no mail, same answer
    assert db.session.scalars(select(OutboundEmail)).all() == []
