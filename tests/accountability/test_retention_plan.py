"""The portal's own retention plan: the salon's periods within limits, the daily round deleting
only what is older, consent-request proofs kept; the accountant reads, never writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.accountability import records
from portal.audit import Actor
from portal.customers.service import record_view
from portal.extensions import db
from portal.messaging import campaigns, consent_requests
from portal.messaging.service import record_consent
from portal.models import Account, AuditEvent, Customer, Message
from portal.models.base import clock_at
from portal.requests.daily import run_daily
from tests import factories


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_periods_within_limits_and_the_plan_reads_as_words(salon, login_as):
    owner = login_as(salon.owner)
    page = owner.get("/settings/privacy/retention-plan").get_data(as_text=True)
    assert "Login history" in page and 'value="12"' in page and "between 6 and 24" in page
    refused = owner.post(
        "/settings/privacy/retention-plan", data={"login_history": "3", "access_log": "24", "message_log": "36"}
    )
    assert refused.status_code == 422 and "Between 6 and 24 months." in refused.get_data(as_text=True)
    assert records.periods(salon.account.id)["login_history"] == 12
    owner.post("/settings/privacy/retention-plan", data={"login_history": "6", "access_log": "24", "message_log": "36"})
    assert records.periods(salon.account.id) == {"login_history": 6, "access_log": 24, "message_log": 36}
    assert "Keep the login history (months)" in owner.get("/history/settings").get_data(as_text=True)
    accountant = login_as(salon.accountant)
    assert accountant.get("/settings/privacy/retention-plan").status_code == 200
    assert accountant.post("/settings/privacy/retention-plan", data={"login_history": "24"}).status_code == 403


def test_the_daily_round_deletes_only_what_is_older_than_its_period(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    actor = Actor(salon.account.id, salon.owner.id)
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    # Through the portal's operations: logins, a look at the file, messages, a consent request.
    for months_ago in (30, 14, 2):
        moment = now - timedelta(days=31 * months_ago)
        with clock_at(moment):
            login_as(salon.owner)
            record_view(actor, db.session.get(Customer, customer_id), "data")
            factories.book(salon, customer_id, moment + timedelta(days=1))  # a confirmation message
    # A consent request 40 months ago, through the portal (an approval from before 2018 recorded).
    factories.privacy_settings(salon, marketing_enabled=True)
    with clock_at(now - timedelta(days=31 * 40)):
        record_consent(actor, db.session.get(Customer, customer_id), "email", "granted", "pre_gdpr")
        db.session.commit()
        campaign = consent_requests.start(actor, db.session.get(Account, salon.account.id), "1")
        assert campaigns.send_campaign(campaign.id) == "sent"
    before = {
        "login": _count(AuditEvent, AuditEvent.category == "login"),
        "access": _count(AuditEvent, AuditEvent.category == "access"),
        "messages": _count(Message, Message.kind == "confirmation"),
    }
    assert before["login"] >= 3 and before["access"] == 3 and before["messages"] == 3
    with clock_at(now):
        result = run_daily()
    # Login history 12 months, access log 24, message log 36 (the defaults).
    assert result["login_history"] == before["login"] - _count(AuditEvent, AuditEvent.category == "login")
    assert _count(AuditEvent, AuditEvent.category == "access") == 2  # 30 months old: gone
    assert _count(AuditEvent, AuditEvent.category == "login", AuditEvent.occurred_at < now - timedelta(days=366)) == 0
    assert _count(Message, Message.kind == "confirmation") == 3  # none older than 36 months
    assert _count(Message, Message.kind == "consent_request") == 1  # the proof of asking stays
    with clock_at(now):
        assert run_daily()["access_log"] == 0  # a second round finds nothing more


def test_the_privacy_notice_names_the_plans_periods(salon, login_as, client):
    factories.privacy_settings(salon, controller_email="kontakt@salon-a.test")
    login_as(salon.owner).post(
        "/settings/privacy/retention-plan", data={"login_history": "12", "access_log": "18", "message_log": "24"}
    )
    notice = client.get(
        f"/b/{salon.account.slug}/{salon.location.id}/privacy", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "welche Nachrichten wir Ihnen senden (24 Monate lang)" in notice
    assert "Ihre Kundenakte geöffnet hat (18 Monate lang)" in notice
