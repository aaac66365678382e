"""Erasure keeps what tax law requires and nothing else: the forensic test, unchanged reports,
all-or-nothing on failure, blockers, duplicates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from portal.audit import Actor
from portal.customers.duplicates import find_duplicates, merge_customers
from portal.extensions import db
from portal.messaging.consent import email_proof_hash, withdraw_marketing
from portal.models import (
    Appointment,
    AuditEvent,
    ConsentLog,
    Customer,
    CustomerFieldDefinition,
    Invoice,
    PrivacyRequest,
    Voucher,
)
from portal.models import account as account_module
from portal.models.base import TRIGGER_TABLES, utcnow
from portal.requests import erasure
from portal.requests.erasure import ErasureBlocked, erase_customer, find_blockers
from tests import factories
from tests.history.helpers import events
from tests.privacy.helpers import erasure_confirmation, rich_customer

NAME, FIRST, EMAIL, PHONE = "Sommerfeld", "Griselda", "griselda.sommerfeld@example.com", "+491709998877"


def _all_text_in_database() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text-like value in every table, bytes decoded."""
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            for row in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table.name}")):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if value is not None and not isinstance(value, int | float):
                        found.append((table.name, column, str(value)))
    return found


def _prepare(salon, login_as):
    customer_id = rich_customer(salon, NAME, FIRST, EMAIL, PHONE)
    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="r", label="Farbrezeptur")
    db.session.add(recipe)
    db.session.commit()
    owner = login_as(salon.owner)
    # Leave traces everywhere: a change with history, a view, a consent, a recorded request.
    owner.post(
        f"/customers/{customer_id}",
        data={
            "first_name": FIRST,
            "last_name": NAME,
            "email": EMAIL,
            "phone": "0170 9998877",
            "country": "DE",
            "city": "Berlin",
            "notes": f"{FIRST} bevorzugt Termine am Morgen",
            f"cf_{recipe.id}": "7/1",
        },
    )
    owner.get(f"/customers/{customer_id}")
    withdraw_marketing(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id), "oral")
    db.session.commit()
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "in_person", "location_id": salon.location.id, "note": ""},
    )
    request_id = db.session.scalar(select(PrivacyRequest.id))
    return owner, customer_id, request_id


def _month(column):
    return func.substr(func.cast(column, db.String), 1, 7)


def _revenue_per_month() -> list:
    month = _month(Invoice.issued_at)
    rows = db.session.execute(
        select(month, func.sum(Invoice.total_cents), func.count()).group_by(month).order_by(month)
    ).all()
    return [tuple(r) for r in rows]


def _appointments_per_month() -> list:
    month = _month(Appointment.starts_at)
    rows = db.session.execute(select(month, func.count()).group_by(month).order_by(month)).all()
    return [tuple(r) for r in rows]


def test_forensic_nothing_of_the_customer_remains_but_the_retained_invoice_fields(salon, login_as):
    owner, customer_id, request_id = _prepare(salon, login_as)
    before = _all_text_in_database()
    assert any(EMAIL in value for _t, _c, value in before)  # the scan does find the data beforehand
    revenue, visits = _revenue_per_month(), _appointments_per_month()

    # Irreversible: without the customer's name typed (a forged or a mistyped POST) nothing goes.
    for forged in ({}, {"confirm": "Sommer"}):
        assert owner.post(f"/privacy/requests/{request_id}/complete", data=forged).status_code == 302
        db.session.expire_all()
        assert db.session.get(Customer, customer_id) is not None
    response = owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None

    leftovers = [
        (table, column, value)
        for table, column, value in _all_text_in_database()
        if any(needle.lower() in value.lower() for needle in (NAME, EMAIL, PHONE, PHONE.lstrip("+"), "9998877"))
    ]
    allowed = {("invoice", "billed_name")}
    outbox_pending = [(t, c) for t, c, _v in leftovers if t == "outbound_email"]
    # The certificate mail to the customer waits for the worker; it forgets its recipient once sent.
    assert all(c in ("recipient", "body_text", "body_html") for _t, c in outbox_pending)
    assert [(t, c) for t, c, _v in leftovers if (t, c) not in allowed and t != "outbound_email"] == []
    assert {v for t, c, v in leftovers if (t, c) == ("invoice", "billed_name")} == {f"{FIRST} {NAME}"}

    # Reports are unchanged: revenue per month and appointments per month.
    assert _revenue_per_month() == revenue and _appointments_per_month() == visits
    invoices = db.session.scalars(select(Invoice)).all()
    assert all(
        i.customer_id is None and i.retained_until.month == 12 and i.retained_until.year == i.issued_at.year + 8
        for i in invoices
    )
    assert all(a.customer_id is None and a.notes == "" for a in db.session.scalars(select(Appointment)))
    # History events stay, redacted; the withdrawal stays provable by a hash only.
    redacted = db.session.scalars(select(AuditEvent).where(AuditEvent.customer_id == customer_id)).all()
    assert redacted and all(e.redacted_at and e.summary == "[gelöscht]" for e in redacted)
    log = db.session.scalars(select(ConsentLog)).all()
    assert log and all(entry.customer_id is None and entry.email_hash == email_proof_hash(EMAIL) for entry in log)
    request = db.session.get(PrivacyRequest, request_id)
    assert (request.status, request.outcome, request.email) == ("done", "erased", "")
    assert request.certificate["kept"][0]["what"] == "invoices"


def test_forensic_after_the_certificate_is_delivered(salon, login_as, worker_env, mails):
    from tests.conftest import run_worker_burst

    owner, _customer_id, request_id = _prepare(salon, login_as)
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    assert run_worker_burst(worker_env, "emails").returncode == 0
    certificate_mail = next(m for m in mails() if m.to == EMAIL)
    assert "erased" in certificate_mail.subject or "gelöscht" in certificate_mail.subject
    # From the salon, by name; dates as people write them, never as stored.
    assert certificate_mail.sender.startswith(salon.account.name)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", certificate_mail.text), certificate_mail.text
    assert re.search(r"(31\.12\.|31 Dec|Dec 31)", certificate_mail.text), certificate_mail.text
    leftovers = [(t, c) for t, c, v in _all_text_in_database() if EMAIL in v or NAME in v]
    assert leftovers == [("invoice", "billed_name"), ("invoice", "billed_name")]


def test_an_erasure_failing_half_way_leaves_everything_as_it_was(salon, login_as, monkeypatch):
    owner, customer_id, request_id = _prepare(salon, login_as)
    before = sorted(_all_text_in_database())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "redact_history", broken)
    with pytest.raises(RuntimeError):
        erase_customer(
            Actor(salon.account.id, salon.owner.id),
            db.session.get(Customer, customer_id),
            db.session.get(PrivacyRequest, request_id),
        )
    db.session.rollback()
    assert sorted(_all_text_in_database()) == before
    assert db.session.get(Customer, customer_id) is not None


def test_blockers_must_be_resolved_first(salon, login_as):
    owner, customer_id, request_id = _prepare(salon, login_as)
    start = utcnow() + timedelta(days=3)
    db.session.add(
        Appointment(
            account_id=salon.account.id,
            location_id=salon.location.id,
            customer_id=customer_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    )
    db.session.add(
        Voucher(
            account_id=salon.account.id, code="OPEN", customer_id=customer_id, initial_cents=3000, remaining_cents=1500
        )
    )
    db.session.commit()
    page = owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Resolve first:" in page and "OPEN" in page
    response = owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    assert response.status_code == 302
    assert "The erasure is blocked." in owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is not None
    with pytest.raises(ErasureBlocked):
        erase_customer(Actor(salon.account.id, None), db.session.get(Customer, customer_id))


def test_a_voucher_valid_through_the_salons_today_still_blocks(salon, monkeypatch):
    """23:00 on 14 July in New York is the 15th in UTC: a voucher valid through the 14th is
    still the customer's money."""
    salon.account.timezone = "America/New_York"
    customer_id = factories.make_customer(salon.account, "Gutschein")
    db.session.add(
        Voucher(
            account_id=salon.account.id,
            code="LASTDAY",
            customer_id=customer_id,
            initial_cents=3000,
            remaining_cents=1500,
            expires_on=date(2026, 7, 14),
        )
    )
    db.session.commit()
    monkeypatch.setattr(account_module, "utcnow", lambda: datetime(2026, 7, 15, 3, 0, tzinfo=UTC))
    assert [v.code for v in find_blockers(db.session.get(Customer, customer_id)).open_vouchers] == ["LASTDAY"]
    monkeypatch.setattr(account_module, "utcnow", lambda: datetime(2026, 7, 15, 4, 0, tzinfo=UTC))
    assert not find_blockers(db.session.get(Customer, customer_id))


def test_double_click_on_done_erases_once(salon, login_as):
    owner, customer_id, request_id = _prepare(salon, login_as)
    assert (
        owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id)).status_code == 302
    )
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    page = owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert "This request was already handled. Nothing was changed." in page
    assert len(events("customer", action="erased")) == 1


def test_duplicates_are_found_and_merged_before_the_erasure(salon, login_as):
    keep_id = rich_customer(salon, NAME, FIRST, EMAIL, PHONE)
    other_id = rich_customer(salon, NAME, FIRST, "other.address@example.com", "+491700000001")
    db.session.get(Customer, other_id).birthday = db.session.get(Customer, keep_id).birthday = (
        utcnow() - timedelta(days=365 * 30)
    ).date()
    unrelated = factories.make_customer(salon.account, "Anders", "Anna", email="anna@example.com")
    db.session.commit()
    keep = db.session.get(Customer, keep_id)
    assert [c.id for c in find_duplicates(keep)] == [other_id]
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{keep_id}/privacy-requests",
        data={"kind": "erasure", "channel": "phone", "location_id": salon.location.id},
    )
    request_id = db.session.scalar(select(PrivacyRequest.id))
    page = owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Likely duplicates" in page and f"K-{other_id}" in page and f"K-{unrelated}" not in page
    # While the duplicate is listed the erasure waits; merging needs the other's name typed.
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    owner.post(f"/privacy/requests/{request_id}/merge", data={"other_id": other_id, "confirm": "jemand anders"})
    db.session.expire_all()
    assert db.session.get(Customer, keep_id) is not None and db.session.get(Customer, other_id) is not None
    other_name = db.session.get(Customer, other_id).full_name
    owner.post(f"/privacy/requests/{request_id}/merge", data={"other_id": other_id, "confirm": other_name.upper()})
    db.session.expire_all()
    assert db.session.get(Customer, other_id) is None
    assert db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.customer_id == keep_id)) == 4
    (merged,) = events("customer", action="merged")
    assert merged.changes["merged_customer"] == {"old": other_id, "new": keep_id}
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    db.session.expire_all()
    assert db.session.get(Customer, keep_id) is None
    assert db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.retained_until.is_not(None))) == 4
    assert db.session.get(Customer, unrelated) is not None


def test_merge_refuses_customers_of_two_salons(salon, other_salon):
    ours = db.session.get(Customer, factories.make_customer(salon.account, "A"))
    theirs = db.session.get(Customer, factories.make_customer(other_salon.account, "A"))
    with pytest.raises(ValueError):
        merge_customers(Actor(salon.account.id, None), ours, theirs)


def test_retained_records_are_for_owner_and_accountant_only(salon, login_as):
    owner, _customer_id, request_id = _prepare(salon, login_as)
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    page = login_as(salon.accountant).get("/privacy/retained").get_data(as_text=True)
    assert f"{FIRST} {NAME}" in page and "R-" in page
    assert login_as(salon.staff).get("/privacy/retained").status_code == 403
    assert login_as(salon.admin).get("/privacy/retained").status_code == 403


def test_schema_has_no_unknown_table(app):
    # The forensic scan reads every table the models declare; the database has no others but
    # the triggers' own (SQLite's trigram positions: the numbers 1 to 598, nobody's data).
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"} - TRIGGER_TABLES
    assert tables == {t.name for t in db.metadata.sorted_tables}
