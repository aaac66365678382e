"""Messages that run themselves: birthday greetings by the salon's calendar (29 February in
common years), review requests once per visit and never after a no-show, "we miss you" by the
activity definition, each sent once however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import Actor
from portal.extensions import db
from portal.messaging import automations
from portal.messaging.automations import AutomationData
from portal.messaging.campaigns import CampaignError
from portal.messaging.consent import set_consent
from portal.models import Customer, Message
from portal.models.base import clock_at
from tests import factories


def _marketing_on(salon):
    factories.privacy_settings(salon, marketing_enabled=True)


def _customer(salon, name, *, born=None, visit_at=None, consent=True, service=None):
    """Built as the salon would: created, a visit checked out, consent recorded orally."""
    customer_id = factories.make_customer(
        salon.account, name, "Kim", email=f"{name.lower()}@example.com", phone="+491701234567", birthday=born
    )
    if visit_at is not None:
        factories.visit(salon, customer_id, visit_at, service or factories.make_service(salon.account))
    if consent:
        set_consent(
            Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id), "email", "granted", "oral"
        )
        db.session.commit()
    return customer_id


def _automation(salon, kind, **values):
    subject, body = automations.DEFAULT_TEXTS[kind]
    data = AutomationData(
        enabled=True,
        channel="email",
        subject=subject,
        body=body,
        send_hour=values.get("send_hour", 0),
        delay_hours=values.get("delay_hours", 3),
        period_days=values.get("period_days", 90),
        months=values.get("months", 6),
    )
    automation = automations.save(Actor(salon.account.id, salon.owner.id), salon.location, kind, data)
    db.session.commit()
    return automation


def _sent(kind=None) -> list[tuple[int, str]]:
    stmt = select(Message.customer_id, Message.occasion).where(
        Message.automation_id.is_not(None), Message.status == "sent"
    )
    if kind:
        stmt = stmt.where(Message.kind == kind)
    return sorted(db.session.execute(stmt).all())


def test_birthday_greeting_on_the_salons_day_around_midnight_utc(salon, mails):
    _marketing_on(salon)
    recently = datetime(2026, 11, 20, 10, tzinfo=UTC)
    today_born = _customer(salon, "Heute", born=date(1990, 12, 7), visit_at=recently)
    _customer(salon, "Ohne", born=date(1990, 12, 7), visit_at=recently, consent=False)  # no consent
    _customer(salon, "Morgen", born=date(1990, 12, 8), visit_at=recently)
    _automation(salon, "birthday", send_hour=0)
    # 23:30 UTC on the 6th is 00:30 on the 7th in Berlin: the salon's birthday has come.
    with clock_at(datetime(2026, 12, 6, 22, 30, tzinfo=UTC)):  # 23:30 in Berlin: not yet
        assert automations.run_due(datetime(2026, 12, 6, 22, 30, tzinfo=UTC)) == {f"birthday-{1}": 0}
    with clock_at(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)):
        automations.run_due(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
        automations.run_due(datetime(2026, 12, 6, 23, 35, tzinfo=UTC))  # the next five minutes: nobody twice
    assert _sent() == [(today_born, "2026")]
    (greeting,) = [m for m in mails() if "heute@example.com" in m.to]
    assert greeting.subject == "Alles Gute zum Geburtstag, Kim!" and any("/u/" in link for link in greeting.links)


@pytest.mark.parametrize(
    ("day", "greeted"), [(date(2027, 2, 28), True), (date(2028, 2, 28), False), (date(2028, 2, 29), True)]
)
def test_born_on_29_february(salon, day, greeted):
    _marketing_on(salon)
    leap = _customer(salon, "Schalt", born=date(2000, 2, 29), visit_at=datetime(2026, 11, 20, tzinfo=UTC))
    _automation(salon, "birthday", send_hour=8)
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    with clock_at(now):
        automations.run_due(now)
    assert _sent() == ([(leap, str(day.year))] if greeted else [])


def test_review_once_per_visit_never_after_a_no_show_and_not_twice_in_the_period(salon):
    service = factories.make_service(salon.account)
    now = datetime(2026, 12, 6, 15, tzinfo=UTC)
    with clock_at(now):
        visited = _customer(salon, "Besuch", visit_at=now - timedelta(hours=5), service=service, consent=False)
        absent = _customer(salon, "Fern", consent=False)
        factories.no_show(salon, absent, now - timedelta(hours=5), service)
        fresh = _customer(salon, "Frisch", visit_at=now - timedelta(hours=1), service=service, consent=False)
    factories.messaging_settings(salon, review_is_marketing=False)  # a service message here: no consent needed
    _automation(salon, "review", delay_hours=3, period_days=90)
    with clock_at(now):
        automations.run_due(now)
        automations.run_due(now + timedelta(minutes=5))
    assert [cid for cid, _o in _sent("review")] == [visited]
    # Two hours later the recent visit is due; a second visit of the first customer is not asked.
    later = now + timedelta(hours=3)
    with clock_at(later):
        factories.visit(salon, visited, later - timedelta(hours=4), service)
        automations.run_due(later)
    assert sorted(cid for cid, _o in _sent("review")) == sorted([visited, fresh])
    assert absent not in [cid for cid, _o in _sent()]


def test_we_miss_you_follows_the_activity_definition(salon):
    _marketing_on(salon)
    service = factories.make_service(salon.account)
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    quiet = _customer(salon, "Still", visit_at=now - timedelta(days=6 * 31 + 2), service=service)
    bought = _customer(salon, "Gekauft", visit_at=now - timedelta(days=6 * 31 + 2), service=service)
    factories.check_out(salon, customer_id=bought, when=now - timedelta(days=20), lines=None or _product())
    _customer(salon, "Jahre", visit_at=now - timedelta(days=3 * 365), service=service)  # long gone: not picked up
    _automation(salon, "we_miss_you", months=6, send_hour=9)
    with clock_at(now):
        automations.run_due(now)
        automations.run_due(now + timedelta(days=1))  # the same stretch: once
    assert [cid for cid, _o in _sent("we_miss_you")] == [quiet]


def _product():
    from portal.checkout.service import LineInput
    from portal.models import LineKind

    return [LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1500)]


def test_an_automation_is_refused_without_unsubscribe_link_or_beyond_the_window(salon):
    actor = Actor(salon.account.id, salon.owner.id)
    data = AutomationData(True, "email", "Hallo", "Ohne Link", 9, 3, 90, 6)
    with pytest.raises(CampaignError) as error:
        automations.save(actor, salon.location, "birthday", data)
    assert error.value.code == "no-unsubscribe"
    data = AutomationData(True, "email", "Hallo", "Text {unsubscribe_link}", 9, 3, 90, 48)
    with pytest.raises(CampaignError) as error:
        automations.save(actor, salon.location, "we_miss_you", data)
    assert ("beyond-window", "36") in error.value.problems
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_preview_names_tomorrows_birthdays(salon):
    _marketing_on(salon)
    recently = datetime(2026, 11, 20, tzinfo=UTC)
    _customer(salon, "Morgen", born=date(1980, 12, 7), visit_at=recently)
    _customer(salon, "Heute", born=date(1980, 12, 6), visit_at=recently)
    automation = _automation(salon, "birthday", send_hour=9)
    with clock_at(datetime(2026, 12, 6, 12, tzinfo=UTC)):
        result = automations.preview(automation, date(2026, 12, 7))
    assert (result.count, result.names) == (1, ["Kim Morgen"])


# --- scheduled campaigns with an audience -------------------------------------------------------------


def _campaign(salon, filters=None):
    from portal.messaging import service

    campaign = service.create_campaign(
        Actor(salon.account.id, salon.owner.id),
        salon.location,
        "newsletter",
        "email",
        "Neu bei uns",
        "Hallo {first_name}! Abmelden: {unsubscribe_link}",
        filters,
    )
    db.session.commit()
    return campaign


def test_audience_filters_narrow_eligibility_and_name_the_first_rule_failed(salon):
    from portal.bonus.service import ProgramData, activate, save_program
    from portal.messaging.campaigns import preview

    _marketing_on(salon)
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    colour = factories.make_service(salon.account, "Färben")
    cut = factories.make_service(salon.account, "Schnitt")
    with clock_at(now):
        coloured = _customer(salon, "Farbe", born=date(1980, 5, 1), visit_at=now - timedelta(days=20), service=colour)
        _customer(salon, "Schnitt", born=date(1980, 5, 1), visit_at=now - timedelta(days=20), service=cut)
        _customer(salon, "Lange", born=date(1980, 5, 1), visit_at=now - timedelta(days=400), service=colour)
        _customer(salon, "Jung", born=date(2005, 5, 1), visit_at=now - timedelta(days=20), service=colour)
        _customer(
            salon, "Ohne", born=date(1980, 5, 1), visit_at=now - timedelta(days=20), service=colour, consent=False
        )
    campaign = _campaign(salon, {"active_months": 6, "service_ids": [colour.id], "birthday_month": 5, "min_age": 30})
    with clock_at(now):
        result = preview(campaign, date(2026, 12, 6))
    assert result.eligible == 1
    # Eligibility's reasons first, then the filters'.
    assert result.reasons == {"no_consent": 1, "filter_active": 1, "filter_service": 1, "filter_age": 1}
    program = save_program(
        Actor(salon.account.id, salon.owner.id), None, ProgramData("Stempel", 10, "Gratis", [colour.id], True)
    )
    activate(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, coloured), program)
    db.session.commit()
    with clock_at(now):
        assert preview(_campaign(salon, {"bonus_program_id": program.id}), date(2026, 12, 6)).eligible == 1


def test_a_scheduled_campaign_starts_once_at_its_time_and_can_be_cancelled_before(salon):
    from portal.messaging import campaigns
    from portal.models import Campaign

    _marketing_on(salon)
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    with clock_at(now):
        _customer(salon, "Kundin", visit_at=now - timedelta(days=20))
    owner = Actor(salon.account.id, salon.owner.id)
    campaign = _campaign(salon)
    with clock_at(now):
        with pytest.raises(CampaignError) as error:
            campaigns.start(owner, campaign, date(2026, 12, 6), "1", now - timedelta(minutes=1))
        assert error.value.code == "schedule-past"
        campaigns.start(owner, campaign, date(2026, 12, 6), "1", now + timedelta(hours=2))
        assert campaigns.start_scheduled(now + timedelta(hours=1)) == 0
        campaigns.cancel_schedule(owner, campaign)
        assert db.session.get(Campaign, campaign.id).status == "draft"
        campaigns.start(owner, campaign, date(2026, 12, 6), "1", now + timedelta(hours=2))
    # Two cron processes at the same time: one starts it.
    later = now + timedelta(hours=2, minutes=1)
    with clock_at(later):
        assert campaigns.start_scheduled(later) + campaigns.start_scheduled(later) == 1
    campaign = db.session.get(Campaign, campaign.id)
    assert (campaign.status, campaign.total) == ("sending", 1)
    with pytest.raises(CampaignError) as error:
        campaigns.cancel_schedule(owner, campaign)
    assert error.value.code == "already-started"


def test_a_filter_that_leaves_nobody_is_said_not_sent(salon):
    from portal.messaging import campaigns

    _marketing_on(salon)
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    with clock_at(now):
        _customer(salon, "Kundin", born=date(1990, 1, 1), visit_at=now - timedelta(days=20))
        campaign = _campaign(salon, {"birthday_month": 7})
        with pytest.raises(CampaignError) as error:
            campaigns.start(Actor(salon.account.id, salon.owner.id), campaign, date(2026, 12, 6), "0")
    assert error.value.code == "no-recipients"
    with pytest.raises(CampaignError) as error:
        _campaign(salon, {"active_months": 36})
    assert error.value.code == "filter-window"


# --- consent texts ----------------------------------------------------------------------------------


def test_consent_texts_are_versioned_and_the_log_names_version_and_who(salon, login_as):
    import hashlib

    from portal.models import ConsentLog, ConsentText

    owner = login_as(salon.owner)
    customer_id = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    owner.post(f"/customers/{customer_id}/consent", data={"channel": "email", "status": "granted", "method": "oral"})
    new_text = "Ich möchte Neuigkeiten von Salon A per E-Mail bekommen und kann jederzeit widerrufen."
    response = owner.post("/marketing/consent-texts/email", data={"text": new_text})
    assert response.status_code == 302
    assert owner.post("/marketing/consent-texts/email", data={"text": new_text}).status_code == 302  # unchanged
    versions = db.session.scalars(
        select(ConsentText).where(ConsentText.channel == "email").order_by(ConsentText.id)
    ).all()
    assert [v.version for v in versions] == ["2026-01", salon.account.today().isoformat()]
    assert versions[1].sha256 == hashlib.sha256(new_text.encode()).hexdigest()
    other = factories.make_customer(salon.account, "Winter", "Kai", email="kai@example.com")
    staff = login_as(salon.staff)
    staff.post(f"/customers/{other}/consent", data={"channel": "email", "status": "granted", "method": "signed_form"})
    logs = {log.customer_id: log for log in db.session.scalars(select(ConsentLog))}
    assert logs[customer_id].text_version == "2026-01" and logs[other].text_version == versions[1].version
    assert logs[other].text_hash == versions[1].sha256  # the old version stays the proof of the first
    page = owner.get(f"/customers/{other}/messages").get_data(as_text=True)
    assert f"text {versions[1].version}" in page and "staff Salon A" in page
    texts = owner.get("/marketing/consent-texts").get_data(as_text=True)
    assert versions[1].sha256[:12] in texts and versions[0].sha256[:12] in texts
    assert login_as(salon.staff).post("/marketing/consent-texts/email", data={"text": "x"}).status_code == 403
