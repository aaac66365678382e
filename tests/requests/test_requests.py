"""The customer's own requests (email verification), the inbox with its deadlines and actions,
access packages through a real worker, and the daily reminders and purges."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import tokens
from portal.extensions import db
from portal.models import (
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldDefinition,
    CustomerFieldValue,
    Invoice,
    OutboundEmail,
    PrivacyRequest,
    StoredFile,
)
from portal.models import account as account_module
from portal.models.base import utcnow
from portal.requests import daily as daily_module
from portal.requests.daily import run_daily
from tests import factories
from tests.conftest import run_worker_burst
from tests.history.helpers import events
from tests.privacy.helpers import erasure_confirmation, link_path, rich_customer

EMAIL = "greta.sommer@example.com"


def _url(salon):
    return f"/b/{salon.account.slug}/{salon.location.id}/requests"


def _mode(salon, mode):
    factories.privacy_settings(salon, requests_mode=mode, notification_email="datenschutz@salon-a.de")


def _queued_link(path_part: str) -> str:
    db.session.expire_all()
    for email in db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id.desc())):
        for word in email.body_text.split():
            if path_part in word:
                return link_path(word)
    raise AssertionError("no such link queued")


def test_the_answer_never_reveals_whether_the_email_is_known(app, salon, client):
    rich_customer(salon)
    known = client.post(_url(salon), data={"kind": "access", "email": EMAIL})
    unknown = app.test_client().post(_url(salon), data={"kind": "access", "email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200

    def without_csrf(html: str) -> str:
        return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+', "", html)

    assert without_csrf(known.get_data(as_text=True)) == without_csrf(unknown.get_data(as_text=True))
    assert {e.recipient for e in db.session.scalars(select(OutboundEmail))} == {EMAIL, "nobody@example.com"}
    assert (
        db.session.scalar(select(func.count()).select_from(PrivacyRequest).where(PrivacyRequest.status == "unverified"))
        == 2
    )


def test_bad_input_on_the_public_form(salon, client):
    for data, message in (
        ({"kind": "access", "email": "nope@"}, "This is not a valid email address."),
        ({"kind": "delete-all", "email": EMAIL}, "Not a valid choice."),
        ({"kind": "access", "email": EMAIL, "message": "x" * 2001}, "At most 2000 characters."),
    ):
        response = client.post(_url(salon), data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 0
    assert client.get(f"/b/{salon.account.slug}/999/requests").status_code == 404


def test_requests_from_one_ip_are_rate_limited(app, salon, client):
    app.config["PUBLIC_REQUEST_LIMIT"] = "3 per hour"
    try:
        for n in range(3):
            assert client.post(_url(salon), data={"kind": "access", "email": f"a{n}@example.com"}).status_code == 200
        response = client.post(
            _url(salon),
            data={"kind": "erasure", "email": "a9@example.com", "message": "Bitte alles löschen"},
            headers={"Accept-Language": "en"},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 429 and "Too many requests" in page
        # What the customer typed stays in the form for the next try.
        assert 'value="a9@example.com"' in page and "Bitte alles löschen" in page
        assert '<option selected value="erasure">' in page or 'value="erasure" selected' in page
    finally:
        app.config.pop("PUBLIC_REQUEST_LIMIT")
    assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 3


def test_verification_link_get_burns_nothing_post_confirms_once(salon, client):
    _mode(salon, "manual")
    customer_id = rich_customer(salon)
    client.post(_url(salon), data={"kind": "correction", "email": EMAIL, "message": "Neue Nummer: 0171 1111111"})
    path = _queued_link("/r/confirm/")
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    request = db.session.scalars(select(PrivacyRequest)).one()
    assert (request.status, request.customer_id) == ("new", customer_id)
    assert request.due_on is not None and request.received_at is not None
    assert client.post(path).status_code == 410  # reused
    assert client.get(path).status_code == 410
    # The owner is told of the new request.
    assert (
        db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "privacy_request_new")).one().recipient
        == "datenschutz@salon-a.de"
    )


def test_expired_tampered_and_foreign_tokens_are_refused(salon, other_salon, client):
    client.post(_url(salon), data={"kind": "access", "email": EMAIL})
    path = _queued_link("/r/confirm/")
    token_row = db.session.scalars(select(tokens.EmailToken)).one()
    assert client.get(path[:-3] + "abc").status_code == 410  # tampered signature
    # A token of another purpose (another flow) does not confirm a request.
    other = tokens.issue(other_salon.account.id, "access-package", {"request_id": token_row.subject["request_id"]})
    db.session.commit()
    assert client.post(f"/r/confirm/{tokens.link_value(other)}").status_code == 410
    # A token of another salon naming this salon's request does not confirm it.
    foreign = tokens.issue(other_salon.account.id, "privacy-request", {"request_id": token_row.subject["request_id"]})
    db.session.commit()
    assert client.post(f"/r/confirm/{tokens.link_value(foreign)}").status_code == 410
    token_row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(path).status_code == 410
    assert db.session.scalars(select(PrivacyRequest)).one().status == "unverified"


def test_unknown_email_is_answered_with_no_data(salon, client):
    client.post(_url(salon), data={"kind": "erasure", "email": "stranger@example.com"})
    client.post(_queued_link("/r/confirm/"))
    request = db.session.scalars(select(PrivacyRequest)).one()
    assert (request.status, request.outcome) == ("done", "no_data")
    assert db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "privacy_request_no_data")).one()


def test_self_service_erasure_happens_on_confirmation(salon, client):
    _mode(salon, "self_service")
    customer_id = rich_customer(salon)
    client.post(_url(salon), data={"kind": "erasure", "email": EMAIL})
    page = client.post(_queued_link("/r/confirm/")).get_data(as_text=True)
    assert "Your data has been erased." in page or "Ihre Daten wurden gelöscht." in page
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None
    assert db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.retained_until.is_not(None))) == 2


def test_manual_mode_keeps_erasure_in_the_inbox(salon, client, login_as):
    _mode(salon, "manual")
    customer_id = rich_customer(salon)
    client.post(_url(salon), data={"kind": "erasure", "email": EMAIL})
    client.post(_queued_link("/r/confirm/"))
    assert db.session.get(Customer, customer_id) is not None
    inbox = login_as(salon.owner).get("/privacy/requests").get_data(as_text=True)
    name = db.session.get(Customer, customer_id).full_name  # the inbox names the customer
    assert "Erasure" in inbox and name in inbox and "days left" in inbox


def test_access_package_built_by_a_real_worker_and_downloaded_once(app, salon, client, worker_env, mails):
    _mode(salon, "self_service")
    customer_id = rich_customer(salon)
    secret = CustomerFieldDefinition(account_id=salon.account.id, key="s", label="Farbrezeptur", is_trade_secret=True)
    plain = CustomerFieldDefinition(account_id=salon.account.id, key="p", label="Lieblingsgetränk")
    db.session.add_all([secret, plain])
    db.session.flush()
    db.session.add_all(
        [
            CustomerFieldValue(
                account_id=salon.account.id,
                customer_id=customer_id,
                field_id=secret.id,
                value="7/1 + 6% Geheimmischung",
            ),
            CustomerFieldValue(
                account_id=salon.account.id, customer_id=customer_id, field_id=plain.id, value="Hafer-Cappuccino"
            ),
        ]
    )
    db.session.commit()
    client.post(_url(salon), data={"kind": "access", "email": EMAIL})
    assert run_worker_burst(worker_env, "emails").returncode == 0
    confirm = next(link for m in mails() for link in m.links if "/r/confirm/" in link)
    client.post(link_path(confirm))
    # Handed to the worker: a lost job is recovered from here.
    assert db.session.scalars(select(PrivacyRequest.package_requested_at)).one() is not None
    result = run_worker_burst(worker_env, "exports", "emails")
    assert result.returncode == 0, result.stderr
    download = next(link for m in mails() for link in m.links if "/r/package/" in link)
    assert client.get(link_path(download)).status_code == 200
    response = client.post(link_path(download))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {
        "data.json",
        "report.html",
        "csv/customer.csv",
        "csv/appointments.csv",
        "csv/invoices.csv",
        "csv/invoice_lines.csv",
        "csv/custom_fields.csv",
        "csv/consent_log.csv",
    } <= names
    data = json.loads(archive.read("data.json"))
    assert data["schema"] == "salon-privacy-portal/access-package" and data["subject"]["email"] == EMAIL
    assert len(data["appointments"]) == 2 and len(data["invoices"]) == 2 and data["invoices"][0]["lines"]
    fields = {f["label"]: f for f in data["custom_fields"]}
    assert fields["Lieblingsgetränk"]["value"] == "Hafer-Cappuccino"
    assert fields["Farbrezeptur"]["trade_secret"] and "Geheimmischung" not in archive.read("data.json").decode()
    assert all("Geheimmischung" not in archive.read(name).decode("utf-8", "replace") for name in names)
    report = archive.read("report.html").decode()
    # German, as the customer wrote in German: the trade secret is named and its content withheld.
    # The authority to complain to (Art. 77) is the location's state's, from the settings that
    # came with the location.
    assert "Farbrezeptur" in report and "Art. 15 Abs. 4" in report and "Berliner Beauftragte" in report
    # Read by a person: dates and states in German, never the stored keys or ISO timestamps.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", report)
    assert "erschienen" in report and ">attended<" not in report and "Deutschland" in report
    # Single use; the file is gone afterwards; the download is on the request's timeline.
    assert client.post(link_path(download)).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert events("request", action="package_downloaded")
    request = db.session.scalars(select(PrivacyRequest)).one()
    assert (request.status, request.outcome) == ("done", "package_sent")


def test_the_request_page_follows_the_data_package_until_it_is_downloaded(salon, login_as, worker_env, mails):
    customer_id = rich_customer(salon)
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "access", "channel": "letter", "location_id": salon.location.id, "note": ""},
    )
    request_id = db.session.scalars(select(PrivacyRequest.id)).one()
    assert owner.get(f"/privacy/requests/{request_id}/package").status_code == 404  # nothing asked for yet
    owner.post(f"/privacy/requests/{request_id}/complete")
    building = owner.get(f"/privacy/requests/{request_id}/package")
    page = building.get_data(as_text=True)
    assert building.status_code == 200 and 'hx-trigger="every 1s"' in page and "being built" in page
    assert "hx-trigger" in owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)

    assert run_worker_burst(worker_env, "exports", "emails").returncode == 0
    sent = owner.get(f"/privacy/requests/{request_id}/package")
    page = sent.get_data(as_text=True)
    assert sent.status_code == 286 and "hx-trigger" not in page  # htmx stops polling
    assert "link emailed on" in page and "Not downloaded yet; the link is valid until" in page

    download = next(link for m in mails() for link in m.links if "/r/package/" in link)
    login_as(salon.staff).post(link_path(download))  # the customer's link, in any browser
    page = owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Downloaded by the customer on" in page
    assert login_as(salon.accountant).get(f"/privacy/requests/{request_id}/package").status_code == 403


def test_inbox_actions_extension_rejection_and_bad_input(salon, login_as):
    customer_id = rich_customer(salon)
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "access", "channel": "letter", "location_id": salon.location.id, "note": "Brief vom 3."},
    )
    request = db.session.scalars(select(PrivacyRequest)).one()
    first_due = request.due_on
    response = owner.post(f"/privacy/requests/{request.id}/extend", data={"months": 1, "reason": ""})
    assert response.status_code == 422 and "Please give the reason; the customer is told." in response.get_data(
        as_text=True
    )
    owner.post(f"/privacy/requests/{request.id}/extend", data={"months": 2, "reason": "Viele Daten aus zwei Systemen"})
    db.session.expire_all()
    request = db.session.get(PrivacyRequest, request.id)
    assert request.extension_months == 2 and request.due_on > first_due
    assert db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "privacy_request_extended")).one()
    # Beyond three months in total: refused, nothing changed.
    owner.post(f"/privacy/requests/{request.id}/extend", data={"months": 1, "reason": "noch mehr"})
    page = owner.get(f"/privacy/requests/{request.id}").get_data(as_text=True)
    assert "The deadline can be extended by two further months at most." in page
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, request.id).extension_months == 2
    response = owner.post(f"/privacy/requests/{request.id}/reject", data={"reason": "   "})
    assert response.status_code == 422 and "Please give the reason for the rejection." in response.get_data(
        as_text=True
    )
    owner.post(f"/privacy/requests/{request.id}/reject", data={"reason": "Identität nicht nachgewiesen"})
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, request.id).status == "rejected"
    assert [e.action for e in events("request", entity_id=request.id)] == [
        "recorded",
        "received",
        "extended",
        "rejected",
    ]
    assert login_as(salon.staff).get("/privacy/requests").status_code == 403


def test_restriction_and_objection(salon, login_as):
    customer_id = rich_customer(salon)
    owner = login_as(salon.owner)
    for kind in ("restriction", "objection"):
        owner.post(
            f"/customers/{customer_id}/privacy-requests",
            data={"kind": kind, "channel": "in_person", "location_id": salon.location.id},
        )
    for request in db.session.scalars(select(PrivacyRequest)).all():
        owner.post(f"/privacy/requests/{request.id}/complete", data=erasure_confirmation(request.id))
    db.session.expire_all()
    customer = db.session.get(Customer, customer_id)
    assert customer.restricted_at is not None
    assert "Processing restricted" in owner.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Sommer" not in owner.post("/customers/search", data={"q": "sommer"}).get_data(as_text=True)
    assert "Sommer" in owner.post("/customers/search", data={"q": "sommer", "restricted": "1"}).get_data(as_text=True)
    assert {c.status for c in db.session.scalars(select(Consent))} == {"withdrawn"}
    assert {(entry.method, entry.login_id) for entry in db.session.scalars(select(ConsentLog))} == {
        ("objection", salon.owner.id)
    }
    owner.post(f"/customers/{customer_id}/lift-restriction")
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).restricted_at is None


def test_daily_round_reminds_once_per_step_and_purges(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Frist", email="frist@example.com")
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "correction", "channel": "phone", "location_id": salon.location.id},
    )
    request = db.session.scalars(select(PrivacyRequest)).one()

    def reminders():
        return db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "privacy_request_reminder")
        )

    request.due_on = date.today() + timedelta(days=6)
    db.session.commit()
    run_daily()
    run_daily()
    assert reminders() == 1
    request.due_on = date.today() + timedelta(days=1)
    db.session.commit()
    run_daily()
    assert reminders() == 2
    request.due_on = date.today() - timedelta(days=1)
    db.session.commit()
    run_daily()
    run_daily()
    assert reminders() == 3
    old = Invoice(
        account_id=salon.account.id,
        location_id=salon.location.id,
        number="OLD",
        billed_name="Alt",
        issued_at=utcnow() - timedelta(days=4000),
        retained_until=date.today() - timedelta(days=1),
    )
    db.session.add(old)
    db.session.commit()
    assert run_daily()["retained_invoices_purged"] == 1
    assert db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.number == "OLD")) == 0


@pytest.mark.parametrize(
    "zone, utc_moment, purged",
    [
        # 00:30 on 15 July in Berlin, still the 14th in UTC: the period has ended where the salon is.
        ("Europe/Berlin", datetime(2026, 7, 14, 22, 30, tzinfo=UTC), True),
        # 23:00 on 14 July in New York, already the 15th in UTC: the last day still runs.
        ("America/New_York", datetime(2026, 7, 15, 3, 0, tzinfo=UTC), False),
    ],
)
def test_retained_invoices_are_purged_after_the_salons_last_day(salon, zone, utc_moment, purged, monkeypatch):
    salon.account.timezone = zone
    db.session.add(
        Invoice(
            account_id=salon.account.id,
            location_id=salon.location.id,
            number="HELD",
            billed_name="Alt",
            issued_at=utc_moment - timedelta(days=4000),
            retained_until=date(2026, 7, 14),
        )
    )
    db.session.commit()
    monkeypatch.setattr(daily_module, "utcnow", lambda: utc_moment)
    monkeypatch.setattr(account_module, "utcnow", lambda: utc_moment)
    assert run_daily()["retained_invoices_purged"] == (1 if purged else 0)
    remaining = db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.number == "HELD"))
    assert remaining == (0 if purged else 1)
