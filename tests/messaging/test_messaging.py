"""Consent, eligibility, campaigns with unsubscribe links, transactional messages."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal import tokens
from portal.audit import Actor
from portal.checkout.service import LineInput
from portal.extensions import db
from portal.messaging import campaigns, eligibility
from portal.messaging.consent import set_consent
from portal.messaging.transactional import queue_due_reminders
from portal.models import (
    Account,
    Appointment,
    Campaign,
    Consent,
    ConsentLog,
    Customer,
    LineKind,
    Message,
    MessagingSettings,
    PrivacySettings,
    Service,
)
from portal.models.base import clock_at, utcnow
from tests import factories
from tests.conftest import run_worker_burst

TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()  # the demo salon's date, as the portal counts it


def _marketing(salon, on=True, existing_customer_email=False):
    factories.privacy_settings(salon, marketing_enabled=on)
    factories.messaging_settings(salon, existing_customer_email=existing_customer_email)


def _customer(
    salon,
    name,
    *,
    visit_days=30,
    consent=None,
    email=True,
    phone=True,
    restricted=False,
    birthday=None,
    guardian=False,
    bought_days=None,
    no_show_days=None,
):
    """Built through the portal's operations: created long ago, a visit checked out, a product
    bought at the till, a no-show."""
    now = utcnow()
    customer_id = factories.customer_since(
        salon.account,
        now - timedelta(days=2000),
        name,
        "Kim",
        email=f"{name.lower()}@example.com" if email else None,
        phone="+491701234567" if phone else None,
        birthday=birthday,
    )
    service = db.session.scalars(
        select(Service).where(Service.account_id == salon.account.id)
    ).first() or factories.make_service(salon.account)
    if visit_days is not None:
        factories.visit(salon, customer_id, now - timedelta(days=visit_days), service)
    if no_show_days is not None:
        factories.no_show(salon, customer_id, now - timedelta(days=no_show_days), service)
    if bought_days is not None:
        factories.check_out(
            salon,
            customer_id=customer_id,
            when=now - timedelta(days=bought_days),
            lines=[LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1500)],
        )
    customer = db.session.get(Customer, customer_id)
    customer.restricted_at = now if restricted else None
    customer.guardian_consent = guardian
    db.session.commit()
    if consent:
        set_consent(Actor(salon.account.id, salon.owner.id), customer, "email", consent, "oral")
        db.session.commit()
    return customer.id


def _reasons(salon, channel="email", kind="newsletter"):
    account = db.session.get(Account, salon.account.id)
    location = salon.location
    return {
        c.last_name: eligibility.reason_for(c, location, channel, kind, TODAY)
        for c in db.session.scalars(select(Customer).where(Customer.account_id == account.id))
    }


def test_eligibility_table_covers_every_rule(salon):
    _marketing(salon)
    sixteen_years_ago = date(TODAY.year - 16, TODAY.month, min(TODAY.day, 28))
    _customer(salon, "Ja", consent="granted")
    _customer(salon, "Ohneadresse", consent="granted", email=False)
    _customer(salon, "Abgemeldet", consent="withdrawn")
    _customer(salon, "Eingeschraenkt", consent="granted", restricted=True)
    _customer(salon, "Kind", consent="granted", birthday=sixteen_years_ago + timedelta(days=30))
    _customer(salon, "Kindmiteltern", consent="granted", birthday=sixteen_years_ago + timedelta(days=30), guardian=True)
    _customer(salon, "Sechzehn", consent="granted", birthday=sixteen_years_ago - timedelta(days=1))
    _customer(salon, "Lange", consent="granted", visit_days=40 * 30)
    _customer(salon, "Nichterschienen", consent="granted", visit_days=None, no_show_days=20)
    _customer(salon, "Gekauft", consent="granted", visit_days=None, bought_days=20)
    _customer(salon, "Ohnezustimmung")
    assert _reasons(salon) == {
        "Ja": None,
        "Ohneadresse": "no_contact",
        "Abgemeldet": "unsubscribed",
        "Eingeschraenkt": "restricted",
        "Kind": "minor",
        "Kindmiteltern": None,
        "Sechzehn": None,
        "Lange": "inactive",
        "Nichterschienen": "inactive",  # a no-show is no visit
        "Gekauft": None,
        "Ohnezustimmung": "no_consent",
    }
    # SMS consent is separate from email consent.
    assert _reasons(salon, "sms")["Ja"] == "no_consent"


def test_existing_customer_basis_and_marketing_switch(salon):
    _marketing(salon, existing_customer_email=True)
    _customer(salon, "Kaeuferin", bought_days=60)
    cancelled = _customer(salon, "Storniert", visit_days=None)
    factories.storno(
        salon,
        factories.check_out(
            salon,
            customer_id=cancelled,
            when=utcnow() - timedelta(days=60),
            lines=[LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1500)],
        ),
    )
    reasons = _reasons(salon)
    assert reasons == {"Kaeuferin": None, "Storniert": "inactive"}  # § 7(3) UWG needs a purchase that stands
    assert _reasons(salon, "sms")["Kaeuferin"] == "no_consent"  # email only
    settings = db.session.scalars(select(PrivacySettings)).one()
    settings.marketing_enabled = False
    db.session.commit()
    assert set(_reasons(salon).values()) == {"marketing_off"}
    # A review request the salon does not treat as marketing needs neither consent nor marketing on.
    db.session.scalars(select(MessagingSettings)).one().review_is_marketing = False
    db.session.commit()
    assert set(_reasons(salon, kind="review").values()) == {None}


@pytest.mark.parametrize(
    ("body", "channel", "code"),
    [
        ("Hallo {first_name}", "email", "no-unsubscribe"),
        ("Hallo {vorname} {unsubscribe_link}", "email", "unknown-placeholder"),
        ("   ", "email", "empty"),
        ("x" * 420 + " {unsubscribe_link}", "sms", "sms-too-long"),
    ],
)
def test_campaigns_that_cannot_go_out_are_refused(body, channel, code):
    with pytest.raises(campaigns.CampaignError) as error:
        campaigns.check("newsletter", channel, "Betreff", body, marketing=True)
    assert error.value.code == code


def test_compose_page_explains_and_saves_nothing(salon, login_as):
    _marketing(salon)
    owner = login_as(salon.owner)
    response = owner.post(
        "/marketing/campaigns/new",
        data={
            "location_id": salon.location.id,
            "kind": "newsletter",
            "channel": "email",
            "subject": "Herbst",
            "body": "Hallo {first_name}",
        },
    )
    assert response.status_code == 422 and "{unsubscribe_link}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def _campaign(salon, login_as, body="Hallo {first_name}, Neues von {salon}. Abmelden: {unsubscribe_link}"):
    owner = login_as(salon.owner)
    owner.post(
        "/marketing/campaigns/new",
        data={
            "location_id": salon.location.id,
            "kind": "newsletter",
            "channel": "email",
            "subject": "Herbst bei {salon}",
            "body": body,
        },
    )
    return owner, db.session.scalars(select(Campaign)).one()


def test_empty_recipient_set_sends_nothing(salon, login_as):
    _marketing(salon)
    _customer(salon, "Ohnezustimmung")
    owner, campaign = _campaign(salon, login_as)
    owner.post(f"/marketing/campaigns/{campaign.id}/send", data={"confirm": "0"})
    page = owner.get(f"/marketing/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Nobody may receive this message" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_campaign_sent_once_with_unsubscribe_headers_and_link(
    app, salon, login_as, worker_env, mails, smtp_sink, client
):
    _marketing(salon)
    # Active through a purchase at the till (a booked visit would add its confirmation mail).
    ids = [_customer(salon, f"Kundin{n}", consent="granted", visit_days=None, bought_days=30) for n in range(3)]
    minor = _customer(
        salon, "Jung", consent="granted", birthday=TODAY - timedelta(days=365 * 10), visit_days=None, bought_days=30
    )
    owner, campaign = _campaign(salon, login_as)
    # Sent only when the number of recipients shown was confirmed (a forged POST sends nothing).
    for forged in ({}, {"confirm": "4"}):
        owner.post(f"/marketing/campaigns/{campaign.id}/send", data=forged)
        db.session.expire_all()
        assert db.session.get(Campaign, campaign.id).status == "draft"
    owner.post(f"/marketing/campaigns/{campaign.id}/send", data={"confirm": "3"})
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).queued_at is not None  # a lost job is recovered from here
    result = run_worker_burst(worker_env, "emails")
    print("WORKER", result.stderr[-3000:])
    received = [m for m in mails() if m.subject.startswith("Herbst")]  # not the visits' confirmations
    assert sorted(m.to for m in received) == sorted(f"kundin{n}@example.com" for n in range(3))  # never the minor
    raw = email.message_from_bytes(
        next(Path(smtp_sink.directory).glob("*.eml")).read_bytes(), policy=email.policy.default
    )
    assert raw["List-Unsubscribe"].startswith("<http") and raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Herbst bei Salon A" == raw["Subject"]
    # A retried job sends nobody twice.
    db.session.expire_all()
    db.session.get(Campaign, campaign.id).status = "sending"
    db.session.commit()
    assert campaigns.send_campaign(campaign.id) == "sent"
    assert len(mails()) == 3
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.campaign_id == campaign.id)) == 3
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.customer_id == minor)) == 0
    # A run that died after claiming a recipient: not sent again, and the record says why.
    late = _customer(salon, "Spaet", consent="granted", visit_days=None, bought_days=30)
    db.session.add(
        Message(
            account_id=salon.account.id, customer_id=late, kind="newsletter", channel="email", campaign_id=campaign.id
        )
    )
    db.session.get(Campaign, campaign.id).status = "sending"
    db.session.commit()
    assert campaigns.send_campaign(campaign.id) == "sent"
    assert len(mails()) == 3
    interrupted = db.session.scalars(
        select(Message).where(Message.customer_id == late, Message.campaign_id == campaign.id)
    ).one()
    assert (interrupted.status, interrupted.reason) == ("failed", "interrupted")

    # Unsubscribe: GET shows, POST withdraws once and is recorded; tampering is refused.
    link = next(link for link in received[0].links if "/u/" in link)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path[:-3] + "xyz").status_code == 410
    assert client.get(path).status_code == 200
    assert client.post(path, headers={"Accept-Language": "en"}).status_code == 200
    assert client.post(path).status_code == 410
    customer = db.session.scalars(select(Customer).where(Customer.email == received[0].to)).one()
    log = db.session.scalars(
        select(ConsentLog).where(ConsentLog.customer_id == customer.id).order_by(ConsentLog.id)
    ).all()
    assert [(e.status, e.method) for e in log] == [("granted", "oral"), ("withdrawn", "unsubscribe")]
    assert log[-1].ip == "127.0.0.1"
    assert eligibility.reason_for(customer, salon.location, "email", "newsletter", TODAY) == "unsubscribed"
    assert len(ids) == 3


def test_one_click_unsubscribe_needs_no_csrf_token(app, salon, csrf_on, client):
    customer = db.session.get(Customer, _customer(salon, "Einklick", consent="granted"))
    token = tokens.issue(
        salon.account.id, campaigns.UNSUBSCRIBE_PURPOSE, {"customer_id": customer.id, "channel": "email"}
    )
    db.session.commit()
    response = client.post(f"/u/{tokens.link_value(token)}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.session.scalars(select(Consent).where(Consent.customer_id == customer.id)).one().status == "withdrawn"


def _appointment(salon, customer_id, hours_ahead):
    start = utcnow() + timedelta(hours=hours_ahead)
    appointment = Appointment(
        account_id=salon.account.id,
        location_id=salon.location.id,
        customer_id=customer_id,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    db.session.add(appointment)
    db.session.commit()
    return appointment


def test_reminders_ignore_marketing_opt_out_but_respect_the_reminder_opt_out(salon):
    _marketing(salon)
    unsubscribed = _customer(salon, "Keinewerbung", consent="withdrawn")
    no_reminders = _customer(salon, "Keineerinnerung")
    db.session.get(Customer, no_reminders).reminders_off = True
    db.session.commit()
    _appointment(salon, unsubscribed, 10)
    _appointment(salon, no_reminders, 10)
    _appointment(salon, unsubscribed, 72)  # not yet due
    assert queue_due_reminders() == 4  # email and SMS for each of the two due appointments
    assert queue_due_reminders() == 0  # one reminder per appointment and channel
    rows = db.session.scalars(select(Message).where(Message.kind == "reminder")).all()
    assert {(r.customer_id, r.status, r.reason) for r in rows} == {
        (unsubscribed, "queued", ""),
        (no_reminders, "suppressed", "reminders_off"),
    }


def test_booking_sends_a_confirmation_by_email_and_sms(salon, login_as, worker_env, mails, app):
    from tests.history.helpers import appointment_form, make_service

    customer_id = _customer(salon, "Buchung", consent=None, visit_days=None)
    service = make_service(salon)
    login_as(salon.owner).post(
        f"/customers/{customer_id}/appointments/new",
        data=appointment_form(salon, service, day=(TODAY + timedelta(days=5)).isoformat()),
    )
    assert run_worker_burst(worker_env, "emails").returncode == 0
    assert [m.to for m in mails()] == ["buchung@example.com"]
    (sms,) = [json.loads(line) for line in Path(app.config["SMS_FILE"]).read_text().splitlines()]
    assert sms["to"] == "+491701234567" and "Salon A Mitte" in sms["text"]
    assert {(m.kind, m.channel, m.status) for m in db.session.scalars(select(Message))} == {
        ("confirmation", "email", "sent"),
        ("confirmation", "sms", "sent"),
    }


def test_sms_gateway_refuses_too_long_messages(tmp_path):
    from portal.messaging.sms import FileSmsGateway, SmsTooLong

    gateway = FileSmsGateway(str(tmp_path / "sms.log"))
    gateway.send("+491701234567", "Kurz")
    with pytest.raises(SmsTooLong):
        gateway.send("+491701234567", "x" * 481)
    lines = (tmp_path / "sms.log").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Kurz"]


def test_new_customer_prompt_records_consent_with_the_text(salon, login_as):
    staff = login_as(salon.staff)
    staff.post(
        "/customers/new",
        data={
            "last_name": "Neukundin",
            "country": "DE",
            "email": "neu@example.com",
            "prompt-consent_email": "granted",
            "prompt-consent_sms": "withdrawn",
        },
    )
    customer = db.session.scalars(select(Customer)).one()
    log = {entry.channel: entry for entry in db.session.scalars(select(ConsentLog))}
    assert (log["email"].status, log["email"].method, log["email"].login_id) == ("granted", "oral", salon.staff.id)
    assert log["email"].text_version and len(log["email"].text_hash) == 64
    assert log["sms"].status == "withdrawn" and not log["sms"].text_hash
    assert {
        c.channel: c.status for c in db.session.scalars(select(Consent).where(Consent.customer_id == customer.id))
    } == {"email": "granted", "sms": "withdrawn"}


def _asks_consent(mail) -> bool:
    return any("/c/" in link for link in mail.links)


def test_the_consent_request_asks_only_unprovable_approvals_from_before_the_gdpr(
    salon, login_as, client, worker_env, mails
):
    """Imported with a day before 25.05.2018, or recorded by staff as such: asked. No consent, an
    imported consent from 2019 or without a day: never asked (such an email would be advertising
    itself). Nothing while marketing is off; once, and a second and last time after 30 days."""
    from portal.models import Campaign
    from tests.imports.helpers import checked, confirmed_and_run, german_csv, import_id_of, upload

    owner = login_as(salon.owner)
    rows = [
        "Vorher;Ina;vorher@example.com;ja;12.03.2017",
        "Nachher;Uwe;nachher@example.com;ja;01.02.2019",
        "Unbekannt;Eva;unbekannt@example.com;ja;",
        "Ohne;Max;ohne@example.com;nein;",
    ]
    imp = checked(
        owner, import_id_of(upload(owner, german_csv(rows, "Nachname;Vorname;E-Mail;Newsletter;Einwilligung am")))
    )
    confirmed_and_run(owner, imp, new=4)
    staff_recorded = _customer(salon, "Papier", visit_days=None)
    owner.post(
        f"/customers/{staff_recorded}/consent", data={"channel": "email", "status": "granted", "method": "pre_gdpr"}
    )
    _customer(salon, "Jetzt", consent="granted")  # consented by the portal's own text: nothing to confirm

    refused = owner.post("/marketing/consent-request", data={"confirm": "2"})
    assert refused.headers["Location"].endswith("/marketing")  # marketing is off: nothing
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    _marketing(salon)
    page = owner.get("/marketing").get_data(as_text=True)
    assert "Ask 2 customers" in page
    assert owner.post("/marketing/consent-request").headers["Location"].endswith("/marketing")  # not confirmed
    started = owner.post("/marketing/consent-request", data={"confirm": "2"})
    assert "/marketing/campaigns/" in started.headers["Location"]
    assert run_worker_burst(worker_env, "emails").returncode == 0
    assert sorted(m.to for m in mails() if _asks_consent(m)) == ["papier@example.com", "vorher@example.com"]
    # Asked once: a second click finds nobody; the second round waits 30 days.
    assert owner.post("/marketing/consent-request", data={"confirm": "2"}).headers["Location"].endswith("/marketing")
    assert (
        owner.post("/marketing/consent-request", data={"confirm": "2", "again": "y"})
        .headers["Location"]
        .endswith("/marketing")
    )
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1

    # One confirms by the link; the other does not answer — which grants nothing.
    link = next(link for m in mails() if m.to == "vorher@example.com" for link in m.links if "/c/" in link)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 410
    entry = db.session.scalars(select(ConsentLog).where(ConsentLog.method == "double_opt_in")).one()
    assert (entry.status, entry.ip) == ("granted", "127.0.0.1") and entry.text_hash

    # 31 days later: the one who did not answer is asked a second and last time.
    with clock_at(utcnow() + timedelta(days=31)):
        owner = login_as(salon.owner)  # a month later: a new session
        page = owner.get("/marketing").get_data(as_text=True)
        assert "Ask 1 customer again" in page
        again = owner.post("/marketing/consent-request", data={"confirm": "1", "again": "y"}).headers["Location"]
        # The round's job runs here, on the moved clock (a worker process would read the real one).
        assert campaigns.send_campaign(int(again.rsplit("/", 1)[1])) == "sent"
        assert (
            owner.post("/marketing/consent-request", data={"confirm": "1", "again": "y"})
            .headers["Location"]
            .endswith("/marketing")
        )
    assert run_worker_burst(worker_env, "emails").returncode == 0
    asked = sorted(m.to for m in mails() if _asks_consent(m))
    assert asked == ["papier@example.com", "papier@example.com", "vorher@example.com"]


def test_staff_record_consent_and_options_in_the_customer_file(salon, login_as):
    customer_id = _customer(salon, "Akte")
    staff = login_as(salon.staff)
    staff.post(
        f"/customers/{customer_id}/consent", data={"channel": "photo", "status": "granted", "method": "signed_form"}
    )
    staff.post(f"/customers/{customer_id}/message-options", data={"reminders_off": "y"})
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).reminders_off
    entry = db.session.scalars(select(ConsentLog)).one()
    assert (entry.channel, entry.method, entry.login_id) == ("photo", "signed_form", salon.staff.id)
    page = staff.get(f"/customers/{customer_id}/messages").get_data(as_text=True)
    assert "signed form" in page
    assert login_as(salon.staff).get("/marketing").status_code == 403


def test_messages_of_a_customer_are_listed(salon, login_as):
    customer_id = _customer(salon, "Liste")
    db.session.add(
        Message(
            account_id=salon.account.id,
            customer_id=customer_id,
            kind="reminder",
            channel="sms",
            status="suppressed",
            reason="reminders_off",
            created_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    page = login_as(salon.owner).get(f"/customers/{customer_id}/messages").get_data(as_text=True)
    assert "appointment reminder" in page and "appointment messages switched off at the customer's request" in page


def test_compose_names_every_problem_at_once_and_the_page_shows_the_message_as_read(salon, login_as):
    _marketing(salon)
    owner = login_as(salon.owner)
    data = {
        "location_id": salon.location.id,
        "kind": "newsletter",
        "channel": "email",
        "subject": "",
        "body": "Hallo {vorname}",
    }
    page = owner.post("/marketing/campaigns/new", data=data, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unknown placeholder: {vorname}" in page
    assert "must contain the {unsubscribe_link} placeholder" in page
    assert "Please enter a subject for the email." in page
    owner, campaign = _campaign(salon, login_as)
    shown = owner.get(f"/marketing/campaigns/{campaign.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hallo Erika, Neues von Salon A." in shown and "{salon}" not in shown.split("<pre", 1)[1]


def test_a_test_mail_goes_to_the_owner_only_and_reads_as_a_customer_would(salon, login_as, worker_env, mails):
    _marketing(salon)
    _customer(salon, "Kundin", consent="granted", visit_days=None, bought_days=30)
    owner, campaign = _campaign(salon, login_as)
    assert owner.post(f"/marketing/campaigns/{campaign.id}/test-mail").status_code == 302
    assert run_worker_burst(worker_env, "emails").returncode == 0
    (mail,) = [m for m in mails() if "Test" in m.subject]
    assert mail.to == salon.owner.email and "Hallo Erika, Neues von Salon A." in mail.text
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"  # nothing sent to customers


def test_moving_and_cancelling_an_appointment_tell_the_customer_once_each(salon, login_as, worker_env, mails, app):
    """Booked, moved twice before the worker ran (only the latest time goes out), moved again,
    cancelled: the customer hears of each that still holds, by email and SMS, in the salon's words."""
    from tests.history.helpers import appointment_form, make_service, only_appointment

    customer_id = _customer(salon, "Verschoben", consent=None, visit_days=None)
    service = make_service(salon)
    owner = login_as(salon.owner)
    day = (TODAY + timedelta(days=5)).isoformat()
    owner.post(f"/customers/{customer_id}/appointments/new", data=appointment_form(salon, service, day=day))
    appointment = only_appointment()
    for start in ("11:00", "12:30"):  # two moves before any worker ran
        owner.post(f"/appointments/{appointment.id}", data=appointment_form(salon, service, day=day, start=start))
    assert run_worker_burst(worker_env, "emails").returncode == 0
    subjects = sorted(m.subject for m in mails())
    assert len(subjects) == 2 and any("12:30" in s for s in subjects) and not any("11:00" in s for s in subjects)
    rows = {(m.kind, m.channel, m.status, m.reason) for m in db.session.scalars(select(Message))}
    assert ("update", "email", "suppressed", "superseded") in rows and ("update", "email", "sent", "") in rows
    owner.post(
        f"/appointments/{appointment.id}", data=appointment_form(salon, service, day=day, start="12:30", notes="Farbe")
    )
    owner.post(f"/appointments/{appointment.id}/cancel", data={"confirm": "yes", "reason": "krank"})
    owner.post(f"/appointments/{appointment.id}/cancel", data={"confirm": "yes"})  # twice: one message
    assert run_worker_burst(worker_env, "emails").returncode == 0
    cancelled = [m for m in mails() if "cancelled" in m.subject or "abgesagt" in m.subject or "storniert" in m.subject]
    assert len(cancelled) == 1 and "12:30" in cancelled[0].subject
    texts = [json.loads(line)["text"] for line in Path(app.config["SMS_FILE"]).read_text().splitlines()]
    assert len(texts) == 3  # confirmation, the move to 12:30, the cancellation
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "cancellation")) == 2


def test_the_customers_wish_stops_every_appointment_message(salon):
    from portal.appointments.service import cancel_appointment
    from portal.messaging.service import save_options

    customer_id = _customer(salon, "Ruhe", consent=None, visit_days=None)
    owner = Actor(salon.account.id, salon.owner.id)
    save_options(owner, db.session.get(Customer, customer_id), reminders_off=True, guardian_consent=False)
    db.session.commit()
    appointment = factories.book(salon, customer_id, utcnow() + timedelta(days=3))
    cancel_appointment(owner, appointment, "")
    rows = db.session.scalars(select(Message).where(Message.customer_id == customer_id)).all()
    assert {(m.kind, m.status, m.reason) for m in rows} == {
        ("confirmation", "suppressed", "reminders_off"),
        ("cancellation", "suppressed", "reminders_off"),
    }


def test_a_location_writes_its_own_appointment_texts(salon, login_as, worker_env, mails, app):
    from tests.history.helpers import appointment_form, make_service

    owner = login_as(salon.owner)
    page = owner.get(f"/marketing/appointment-texts/{salon.location.id}").get_data(as_text=True)
    assert "{first_name}" in page and "{when}" in page  # the portal's text, shown with its placeholders
    refused = owner.post(
        f"/marketing/appointment-texts/{salon.location.id}/confirmation",
        data={"subject": "Termin am {datum}", "body": "Hallo {first_name}"},
    )
    assert refused.status_code == 422 and "Unknown placeholder: {datum}" in refused.get_data(as_text=True)
    owner.post(
        f"/marketing/appointment-texts/{salon.location.id}/confirmation",
        data={
            "subject": "Bis bald bei {salon}!",
            "body": "Liebe(r) {first_name}, wir sehen uns am {when} zu {service}.",
        },
    )
    customer_id = _customer(salon, "Eigen", consent=None, visit_days=None)
    service = make_service(salon)
    owner.post(
        f"/customers/{customer_id}/appointments/new",
        data=appointment_form(salon, service, day=(TODAY + timedelta(days=5)).isoformat(), start="10:00"),
    )
    assert run_worker_burst(worker_env, "emails").returncode == 0
    (confirmation,) = [m for m in mails() if m.to == "eigen@example.com"]
    assert confirmation.subject == "Bis bald bei Salon A!" and "Salon A" in confirmation.sender
    assert "wir sehen uns am" in confirmation.text and "10:00 zu Haarschnitt." in confirmation.text
    (sms,) = [json.loads(line) for line in Path(app.config["SMS_FILE"]).read_text().splitlines()]
    assert sms["text"].startswith("Liebe(r) Kim, wir sehen uns am")
    # Back to the portal's text.
    owner.post(f"/marketing/appointment-texts/{salon.location.id}/confirmation", data={"back_to_portal": "y"})
    assert "own text" not in owner.get(f"/marketing/appointment-texts/{salon.location.id}").get_data(as_text=True)
