"""The processor register (Art. 28 GDPR): prefilled entries, refused input that changes nothing,
the contract as PDF, the review reminder sent once, the notice naming third countries, and the
Art. 19 tick-off that keeps an erasure request open until every system is cleaned or skipped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEvent,
    Customer,
    ErasureSystemCheck,
    OutboundEmail,
    PrivacyRequest,
    Processor,
    StoredFile,
)
from portal.models.base import clock_at
from portal.requests.daily import run_daily
from tests import factories
from tests.conftest import run_worker_burst
from tests.privacy.helpers import erasure_confirmation

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NEWSLETTER = {
    "name": "Newsletter-Tool GmbH",
    "address": "Hafenstraße 1\n20457 Hamburg",
    "service": "Versand des Newsletters",
    "data_categories": "Name, E-Mail-Adresse",
    "region": "eu",
    "erase_by_hand": "y",
}


def _entries(account_id: int) -> list[Processor]:
    db.session.expire_all()
    return db.session.scalars(select(Processor).where(Processor.account_id == account_id).order_by(Processor.id)).all()


def _state(account_id: int) -> list[tuple]:
    return [tuple(str(getattr(p, c.key)) for c in Processor.__table__.columns) for p in _entries(account_id)]


def _add(client, **values) -> Processor:
    response = client.post("/settings/privacy/processors/new", data={**NEWSLETTER, **values})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.scalars(select(Processor).order_by(Processor.id.desc())).first()


def test_a_new_salon_has_the_three_prefilled_entries_to_complete(salon, login_as):
    entries = _entries(salon.account.id)
    assert [p.standard for p in entries] == ["operator", "mail", "sms"]
    assert not any(p.erase_by_hand for p in entries)  # the portal cleans its own hosting itself
    page = login_as(salon.owner).get("/settings/privacy/processors").get_data(as_text=True)
    assert "Operator of the portal (hosting)" in page and "SMS gateway" in page
    assert page.count("Still missing:") == 3
    overview = login_as(salon.owner).get("/settings/privacy/").get_data(as_text=True)
    assert "The processor register is incomplete" in overview


def test_adding_and_changing_an_entry_is_recorded_field_by_field(salon, login_as, client):
    owner = login_as(salon.owner)
    entry = _add(owner)
    assert (entry.name, entry.region, entry.erase_by_hand) == ("Newsletter-Tool GmbH", "eu", True)
    today = salon.account.today()
    response = owner.post(
        f"/settings/privacy/processors/{entry.id}",
        data={
            **NEWSLETTER,
            "region": "third_country",
            "country": "USA",
            "transfer_mechanism": "scc",
            "dpa_signed_on": (today - timedelta(days=100)).isoformat(),
            "review_on": (today + timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "processor").order_by(AuditEvent.id.desc())
    ).first()
    assert set(event.changes) == {"region", "country", "transfer_mechanism", "dpa_signed_on", "review_on"}
    history = owner.get("/history/settings").get_data(as_text=True)
    assert "Standard contractual clauses (Art. 46 GDPR)" in history and "Where the data is processed" in history
    # The public notice and the access report name the third country and the safeguard.
    factories.privacy_settings(salon, salon.location, controller_email="kontakt@salon-a.de")
    notice = client.get(f"/b/{salon.account.slug}/{salon.location.id}/privacy").get_data(as_text=True)
    assert "Newsletter-Tool GmbH" in notice and "USA" in notice and "Standardvertragsklauseln" in notice


def test_bad_input_gets_a_message_and_changes_nothing(salon, other_salon, login_as):
    owner = login_as(salon.owner)
    entry = _add(owner)
    before = _state(salon.account.id)
    today = salon.account.today()
    cases = [
        ({"name": " "}, "Please enter the name of the company."),
        ({"service": ""}, "Please say what it does for the salon."),
        ({"region": "mars"}, "Please choose where the data is processed."),
        ({"region": "third_country", "transfer_mechanism": "scc"}, "Please name the third country."),
        ({"region": "third_country", "country": "USA"}, "Please choose the safeguard for the transfer"),
        ({"review_on": (today - timedelta(days=1)).isoformat()}, "The review date cannot lie in the past."),
        ({"dpa_signed_on": (today + timedelta(days=1)).isoformat()}, "The day of signing cannot lie in the future."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ]
    for values, message in cases:
        response = owner.post(f"/settings/privacy/processors/{entry.id}", data={**NEWSLETTER, **values})
        assert response.status_code == 422 and message in response.get_data(as_text=True), values
        created = owner.post("/settings/privacy/processors/new", data={**NEWSLETTER, **values})
        assert created.status_code == 422, values
    assert _state(salon.account.id) == before
    # Another salon's entry is a 404; the accountant reads and never writes.
    foreign = _entries(other_salon.account.id)[0]
    assert owner.post(f"/settings/privacy/processors/{foreign.id}", data=NEWSLETTER).status_code == 404
    assert owner.get(f"/settings/privacy/processors/{foreign.id}/dpa").status_code == 404
    accountant = login_as(salon.accountant)
    assert "Newsletter-Tool GmbH" in accountant.get("/settings/privacy/processors").get_data(as_text=True)
    assert accountant.post(f"/settings/privacy/processors/{entry.id}", data=NEWSLETTER).status_code == 403
    assert accountant.get(f"/settings/privacy/processors/{entry.id}").status_code == 403
    assert _state(salon.account.id) == before


def _upload(client, entry, content: bytes, name: str = "av.pdf"):
    from io import BytesIO

    return client.post(
        f"/settings/privacy/processors/{entry.id}/dpa",
        data={"dpa_file": (BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _files() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def test_the_agreement_is_a_pdf_of_at_most_10_mb_replaced_and_deleted_with_the_entry(salon, login_as):
    owner = login_as(salon.owner)
    entry = _add(owner)
    not_pdf = _upload(owner, entry, b"PK\x03\x04 a zip named pdf", "av.pdf")
    assert not_pdf.status_code == 422 and "This file is not a PDF" in not_pdf.get_data(as_text=True)
    too_big = _upload(owner, entry, PDF + b"0" * (10 * 1024 * 1024))
    assert too_big.status_code == 422 and "larger than 10 MB" in too_big.get_data(as_text=True)
    assert _files() == 0 and _entries(salon.account.id)[-1].dpa_file_id is None

    assert _upload(owner, entry, PDF).status_code == 302
    assert _upload(owner, entry, PDF + b"% second copy\n").status_code == 302
    assert _files() == 1  # the new copy replaced the old one
    accountant = login_as(salon.accountant)
    download = accountant.get(f"/settings/privacy/processors/{entry.id}/dpa")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.endswith(b"% second copy\n")
    run_daily()  # the daily round deletes expired files, never a contract
    assert _files() == 1

    assert owner.post(f"/settings/privacy/processors/{entry.id}/delete").status_code == 302
    assert _files() == 0 and len(_entries(salon.account.id)) == 3


def test_the_review_reminder_goes_to_the_owners_once_30_days_before(salon, login_as, worker_env, mails):
    owner = login_as(salon.owner)
    entry = _add(owner)
    today = salon.account.today()
    review_on = today + timedelta(days=45)
    owner.post(f"/settings/privacy/processors/{entry.id}", data={**NEWSLETTER, "review_on": review_on.isoformat()})

    def reminders() -> int:
        return db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "processor_review_due")
        )

    noon = datetime.combine(today, time(12), tzinfo=ZoneInfo(salon.account.timezone))
    run_daily()
    assert reminders() == 0  # 45 days ahead: not yet
    with clock_at(noon + timedelta(days=14)):
        run_daily()
    assert reminders() == 0  # 31 days ahead, by the salon's calendar
    with clock_at(noon + timedelta(days=15)):
        run_daily()
        run_daily()
    assert reminders() == 1  # 30 days before, once
    with clock_at(noon + timedelta(days=20)):
        run_daily()
    assert reminders() == 1
    assert run_worker_burst(worker_env, "emails").returncode == 0
    delivered = [m for m in mails() if "Newsletter-Tool GmbH" in m.subject]
    assert [m.to for m in delivered] == [salon.owner.email]
    assert delivered[0].subject.startswith("Review due on")  # in the owner's language (English here)
    assert "/settings/privacy/processors" in delivered[0].text
    # A new review date is reminded of again.
    assert (
        owner.post(
            f"/settings/privacy/processors/{entry.id}",
            data={**NEWSLETTER, "review_on": (today + timedelta(days=10)).isoformat()},
        ).status_code
        == 302
    )
    db.session.rollback()  # the test's own read snapshot ends, as the daily round's process starts fresh
    run_daily()
    assert reminders() == 2


def _erasure_request(salon, login_as):
    owner = login_as(salon.owner)
    customer_id = factories.make_customer(salon.account, "Sommer", email="sommer@example.com")
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "phone", "location_id": salon.location.id},
    )
    request_id = db.session.scalars(select(PrivacyRequest.id)).one()
    return owner, customer_id, request_id


def _request(request_id: int) -> PrivacyRequest:
    db.session.expire_all()
    return db.session.get(PrivacyRequest, request_id)


def test_the_erasure_request_closes_only_when_every_system_is_ticked_off(salon, login_as):
    owner, customer_id, request_id = _erasure_request(salon, login_as)
    newsletter = _add(owner)
    shop = _add(owner, name="Online-Shop", service="Gutscheinverkauf")
    tick = f"/privacy/requests/{request_id}"
    page = owner.get(tick).get_data(as_text=True)
    assert "Other systems (Art. 19 GDPR)" in page and "Online-Shop" in page

    response = owner.post(f"{tick}/complete", data=erasure_confirmation(request_id))
    assert response.status_code == 302
    assert db.session.get(Customer, customer_id) is None
    request = _request(request_id)
    assert (request.status, request.outcome) == ("in_progress", "erased")
    assert [s["name"] for s in request.certificate["other_systems"]] == ["Newsletter-Tool GmbH", "Online-Shop"]
    page = owner.get(tick).get_data(as_text=True)
    assert "Tick off the other systems below to close the request" in page

    # Skipping without a reason is refused; a tick of another salon's or an unknown entry is a 404.
    refused = owner.post(f"{tick}/systems/{shop.id}/skipped", data={"reason": "  "}, follow_redirects=True)
    assert "Please give the reason for skipping this system." in refused.get_data(as_text=True)
    assert owner.post(f"{tick}/systems/{shop.id}/forgotten").status_code == 404
    assert owner.post(f"{tick}/systems/999999/cleaned").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ErasureSystemCheck)) == 0

    owner.post(f"{tick}/systems/{newsletter.id}/cleaned")
    again = owner.post(f"{tick}/systems/{newsletter.id}/cleaned", follow_redirects=True)  # a double tap
    assert "already ticked off" in again.get_data(as_text=True)
    assert _request(request_id).status == "in_progress"
    owner.post(f"{tick}/systems/{shop.id}/skipped", data={"reason": "Kundin hat dort nie gekauft"})
    request = _request(request_id)
    assert (request.status, request.outcome, request.handled_by_id) == ("done", "erased", salon.owner.id)
    checks = db.session.scalars(select(ErasureSystemCheck).order_by(ErasureSystemCheck.id)).all()
    assert [(c.system_name, c.outcome, c.reason, c.login_id) for c in checks] == [
        ("Newsletter-Tool GmbH", "cleaned", "", salon.owner.id),
        ("Online-Shop", "skipped", "Kundin hat dort nie gekauft", salon.owner.id),
    ]
    page = owner.get(tick).get_data(as_text=True)
    assert "skipped: Kundin hat dort nie gekauft" in page and "ticked off a system as cleaned" in page
    # The tick outlives the entry: deleting the processor keeps the request's record.
    owner.post(f"/settings/privacy/processors/{shop.id}/delete")
    assert "skipped: Kundin hat dort nie gekauft" in owner.get(tick).get_data(as_text=True)
    # Closed: no more ticks.
    late = owner.post(f"{tick}/systems/{newsletter.id}/cleaned", follow_redirects=True)
    assert "already handled" in late.get_data(as_text=True)


def test_ticks_before_the_erasure_let_it_close_at_once(salon, login_as):
    owner, customer_id, request_id = _erasure_request(salon, login_as)
    newsletter = _add(owner)
    owner.post(f"/privacy/requests/{request_id}/systems/{newsletter.id}/cleaned")
    assert _request(request_id).status == "new"  # the customer is not erased yet
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    assert _request(request_id).status == "done"


def test_without_systems_to_clean_by_hand_the_erasure_closes_the_request(salon, login_as):
    owner, customer_id, request_id = _erasure_request(salon, login_as)  # only the prefilled entries
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    request = _request(request_id)
    assert (request.status, request.certificate["other_systems"]) == ("done", [])


def test_the_accountability_pages_belong_under_settings_in_the_navigation(salon, login_as):
    owner = login_as(salon.owner)
    for path in (
        "/settings/privacy/processors",
        "/settings/privacy/breaches",
        "/settings/privacy/record",
        "/settings/privacy/evidence",
        "/settings/privacy/measures",
    ):
        page = owner.get(path).get_data(as_text=True)
        current = page.split('aria-current="page"')[0].rsplit("<a href=", 1)[-1]
        assert current.startswith('"/settings/"'), (path, current[:40])
