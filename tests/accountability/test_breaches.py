"""The breach register: times typed in the salon's zone, bad input refused with nothing changed,
the 72-hour reminders at the right hours through a real worker (the moment injected, never
slept), a late notification only with its reason, the authority's text as PDF, and the Art. 34
message sent once per customer even when the job runs again after dying half-way."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.accountability import breach_notices
from portal.dev.smtp_sink import read_outbox
from portal.extensions import db
from portal.models import AuditEvent, Breach, BreachNotice, OutboundEmail
from portal.models.base import clock_at
from portal.tasks import PendingJob, enqueue_now
from tests import factories
from tests.conftest import run_worker_burst

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=BERLIN)
FACTS = {
    "occurred_at": "2026-12-05T22:30",
    "aware_at": "2026-12-06T09:15",
    "description": "Das Salon-Tablet wurde vom Empfang gestohlen.",
    "data_categories": "Namen, Telefonnummern, Allergie-Notizen",
    "people_affected": "40",
    "consequences": "Anrufe von Fremden möglich",
    "measures": "Tablet gesperrt, Passwörter geändert",
}


def _breaches() -> list[Breach]:
    db.session.expire_all()
    return db.session.scalars(select(Breach).order_by(Breach.id)).all()


def _record(client, **values):
    with clock_at(NOW):
        return client.post("/settings/privacy/breaches/new", data={**FACTS, **values})


def test_times_are_the_salons_and_the_deadline_is_72_hours_after_awareness(salon, login_as):
    salon.owner.locale = "de"
    db.session.commit()
    owner = login_as(salon.owner)
    response = _record(owner)
    assert response.status_code == 302
    breach = _breaches()[0]
    # 09:15 in Berlin in winter is 08:15 UTC; the deadline three days later at the same time.
    assert breach.aware_at == datetime(2026, 12, 6, 8, 15, tzinfo=UTC)
    with clock_at(NOW):
        page = owner.get(response.headers["Location"]).get_data(as_text=True)
        overview = owner.get("/overview").get_data(as_text=True)
    assert "Meldung an die Behörde bis 09.12.2026, 09:15:" in page
    assert "noch 69 Std. 15 Min." in page  # from 12:00 on 6 December
    assert "Datenpanne #1:" in overview and "noch 69 Std. 15 Min." in overview
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "breach")).one()
    assert "Tablet" not in str(event.changes)  # the settings history names no description


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"aware_at": "2026-12-05T20:00"}, "Der Salon kann nicht davon erfahren haben, bevor es passiert ist."),
        ({"aware_at": "2026-12-07T09:00"}, "Dieser Zeitpunkt liegt in der Zukunft."),
        ({"occurred_at": ""}, "Bitte geben Sie an, wann es passiert ist (soweit bekannt)."),
        ({"description": "  "}, "Bitte beschreiben Sie, was passiert ist."),
        ({"people_affected": "-3"}, "Bitte geben Sie an, wie viele Personen ungefähr betroffen sind"),
    ],
)
def test_bad_input_is_refused_and_records_nothing(salon, login_as, values, message):
    salon.owner.locale = "de"
    db.session.commit()
    response = _record(login_as(salon.owner), **values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _breaches() == []
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "breach")) == 0
    )


def test_a_late_notification_needs_its_reason_and_is_recorded_once(salon, login_as):
    owner = login_as(salon.owner)
    # Became aware four days ago: the 72 hours have passed.
    breach_url = _record(owner, occurred_at="2026-12-01T22:30", aware_at="2026-12-02T09:15").headers["Location"]
    with clock_at(NOW):
        before = owner.post(f"{breach_url}/notified", data={"notified_at": "2026-12-02T09:00"})
        assert "cannot lie before the salon became aware" in before.get_data(as_text=True)
        late = owner.post(f"{breach_url}/notified", data={"notified_at": "2026-12-06T11:00"})
        assert late.status_code == 422 and "please give the reasons for the delay" in late.get_data(as_text=True)
        assert _breaches()[0].notified_at is None
        owner.post(
            f"{breach_url}/notified",
            data={
                "notified_at": "2026-12-06T11:00",
                "late_reason": "Inhaberin im Krankenhaus",
                "authority_reference": "A-7",
            },
        )
        again = owner.post(f"{breach_url}/notified", data={"notified_at": "2026-12-06T11:30"}, follow_redirects=True)
        assert "already recorded" in again.get_data(as_text=True)
        page = owner.get(breach_url).get_data(as_text=True)
        text = owner.get(f"{breach_url}/authority").get_data(as_text=True)
        overview = owner.get("/overview").get_data(as_text=True)
    breach = _breaches()[0]
    assert (breach.late_reason, breach.authority_reference, breach.notified_by_id) == (
        "Inhaberin im Krankenhaus",
        "A-7",
        salon.owner.id,
    )
    assert breach.notified_at == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert "Notified after the 72 hours" in page and "Inhaberin im Krankenhaus" in page
    assert f"by {salon.owner.display_name}." in page
    assert "Gründe für die Verzögerung (Art. 33 Abs. 1 DSGVO)" in text and "Inhaberin im Krankenhaus" in text
    assert "Data breach #1:" not in overview  # no more countdown once notified


def test_no_notification_needs_a_reason_and_stops_the_clock(salon, login_as):
    owner = login_as(salon.owner)
    breach_url = _record(owner).headers["Location"]
    with clock_at(NOW):
        refused = owner.post(f"{breach_url}/no-notification", data={"reason": ""})
        assert refused.status_code == 422 and "Please give the reason" in refused.get_data(as_text=True)
        owner.post(f"{breach_url}/no-notification", data={"reason": "Die Daten waren verschlüsselt."})
        assert "Data breach #1:" not in owner.get("/overview").get_data(as_text=True)
    assert _breaches()[0].not_notified_reason == "Die Daten waren verschlüsselt."


def test_the_authoritys_text_names_article_33_3_and_opens_as_pdf(salon, login_as):
    factories.privacy_settings(salon, controller_name="Salon A GmbH", authority_code="BE", dpo_name="Dr. Dora Daten")
    owner = login_as(salon.owner)
    breach_url = _record(owner).headers["Location"]
    with clock_at(NOW):
        pdf = owner.get(f"{breach_url}/authority.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    for expected in (
        "Meldung einer Verletzung des Schutzes personenbezogener Daten",
        "Berliner Beauftragte für Datenschutz und Informationsfreiheit",
        "Salon A GmbH",
        "Dr. Dora Daten",
        "Kenntnis erlangt: 06.12.2026, 09:15",
        "Art. 33 Abs. 3 lit. a DSGVO",
        "Ungefähre Zahl der betroffenen Personen: 40",
        "Tablet gesperrt, Passwörter geändert",
    ):
        assert expected in text, expected


def _remind_at(worker_env, moment: datetime) -> None:
    enqueue_now(PendingJob("jobs.privacy.breach_reminders", (int(moment.timestamp()),)))
    assert run_worker_burst(worker_env, "default").returncode == 0


def _reminders() -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboundEmail.subject).where(OutboundEmail.template == "breach_deadline").order_by(OutboundEmail.id)
        )
    )


def test_the_owners_are_reminded_at_24_48_64_and_72_hours_through_a_real_worker(salon, login_as, worker_env, mails):
    owner = login_as(salon.owner)
    _record(owner)
    aware = datetime(2026, 12, 6, 9, 15, tzinfo=BERLIN)
    _remind_at(worker_env, aware + timedelta(hours=23, minutes=59))
    assert _reminders() == []
    _remind_at(worker_env, aware + timedelta(hours=24, minutes=3))
    _remind_at(worker_env, aware + timedelta(hours=30))
    assert _reminders() == ["Breach #1: 48 hours left to notify the authority"]
    _remind_at(worker_env, aware + timedelta(hours=48))
    _remind_at(worker_env, aware + timedelta(hours=64, minutes=5))
    _remind_at(worker_env, aware + timedelta(hours=72))
    _remind_at(worker_env, aware + timedelta(hours=90))
    assert _reminders() == [
        "Breach #1: 48 hours left to notify the authority",
        "Breach #1: 24 hours left to notify the authority",
        "Breach #1: 8 hours left to notify the authority",
        "Deadline passed: breach #1 not yet notified",
    ]
    assert run_worker_burst(worker_env, "emails").returncode == 0
    delivered = [m for m in mails() if m.to == salon.owner.email]
    assert len(delivered) == 4 and "09.12.2026" not in delivered[0].text  # English owner: English dates
    assert any("Dec 9, 2026, 9:15" in m.text for m in delivered)


def test_art_34_message_reaches_each_customer_once_even_when_the_job_dies_and_runs_again(
    salon, login_as, worker_env, smtp_sink, monkeypatch
):
    for number in range(200):
        factories.make_customer(salon.account, f"Kundin{number:03d}", email=f"k{number:03d}@example.com")
    for number in range(3):
        factories.make_customer(salon.account, f"Ohne{number}")
    owner = login_as(salon.owner)
    breach_url = _record(owner).headers["Location"]
    breach_id = _breaches()[0].id
    with clock_at(NOW):
        page = owner.get(breach_url).get_data(as_text=True)
        assert "Message to the people" not in page  # not before the decision
        owner.post(f"{breach_url}/people", data={"inform_people": "yes", "inform_reasoning": "Gesundheitsdaten"})
        page = owner.get(breach_url).get_data(as_text=True)
        assert "200 customers with an email address are in this group." in page and "3 have no email address" in page
        stale = owner.post(
            f"{breach_url}/notice", data={"notice_subject": "Info", "notice_body": "Text", "confirm": "199"}
        )
        assert stale.status_code == 422 and "Please check the number of people" in stale.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0

    # The job dies after two batches of 50 (the worker was killed); RQ runs it again.
    monkeypatch.setattr(breach_notices, "BATCH", 50)
    sent = []

    def dying(*args, **kwargs):
        if len(sent) == 120:
            raise SystemExit("worker killed")
        sent.append(args[1])
        return original(*args, **kwargs)

    original = breach_notices.queue_email
    monkeypatch.setattr(breach_notices, "queue_email", dying)
    with clock_at(NOW):
        owner.post(
            f"{breach_url}/notice",
            data={"notice_subject": "Wichtig", "notice_body": "wir müssen Ihnen mitteilen …", "confirm": "200"},
        )
        with pytest.raises(SystemExit):
            breach_notices.send(breach_id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BreachNotice)) == 100
    assert run_worker_burst(worker_env, "emails").returncode == 0  # the job enqueued by the confirmation
    assert run_worker_burst(worker_env, "emails").returncode == 0  # and the mails it queued
    db.session.expire_all()
    assert db.session.get(Breach, breach_id).notice_status == "sent"
    recipients = db.session.scalars(
        select(OutboundEmail.recipient).where(OutboundEmail.template == "breach_notice")
    ).all()
    assert len(recipients) == 200 and len(set(recipients)) == 200
    assert breach_notices.send(breach_id) == "nothing-to-do"  # a third run tells nobody again
    told = [m for m in read_outbox(smtp_sink.directory, limit=1000) if m.subject == "Wichtig"]
    assert len(told) == 200 and len({m.to for m in told}) == 200
    with clock_at(NOW):
        assert "Sent: 200 messages" in owner.get(breach_url).get_data(as_text=True)


def test_the_accountant_reads_and_another_salon_gets_404(salon, other_salon, login_as):
    breach_url = _record(login_as(salon.owner)).headers["Location"]
    accountant = login_as(salon.accountant)
    assert "Das Salon-Tablet" in accountant.get(breach_url).get_data(as_text=True)
    assert accountant.post(f"{breach_url}/no-notification", data={"reason": "x"}).status_code == 403
    stranger = login_as(other_salon.owner)
    assert stranger.get(breach_url).status_code == 404
    assert stranger.get(f"{breach_url}/authority.pdf").status_code == 404
    assert stranger.post(f"{breach_url}/no-notification", data={"reason": "x"}).status_code == 404
    assert _breaches()[0].not_notified_reason == ""
