"""Vouchers: sold at the till or created, redeemed in part, refused when over the rest or
expired, paid out or voided with a reason — the way out of the erasure blocker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import Customer, LineKind, PrivacyRequest, Voucher
from portal.models.base import utcnow
from portal.vouchers import service as vouchers
from tests import factories
from tests.checkout.helpers import invoice_count, line, sale_form
from tests.history.helpers import events
from tests.privacy.helpers import erasure_confirmation


@pytest.fixture
def service(salon):
    return factories.make_service(salon.account, "Damenhaarschnitt", 4900)


def _sell(salon, customer_id=None, cents=5000) -> Voucher:
    invoice = factories.check_out(
        salon, customer_id=customer_id, lines=[LineInput(LineKind.VOUCHER, unit_price_cents=cents)]
    )
    return db.session.scalars(select(Voucher).where(Voucher.sold_invoice_id == invoice.id)).one()


def test_a_sold_voucher_is_valid_to_the_end_of_the_third_year_and_redeemed_in_part(salon, service, login_as):
    customer_id = factories.make_customer(salon.account, "Gutschein")
    with factories.travel_to(datetime(2026, 3, 10, 12, tzinfo=UTC)):
        voucher = _sell(salon, customer_id)
    assert voucher.expires_on == date(2029, 12, 31)  # §§ 195, 199 BGB
    visit = factories.book(salon, customer_id, utcnow() - timedelta(minutes=50), service)
    invoice = factories.check_out(
        salon, visit, voucher_code=vouchers.display_code(voucher.code).lower(), voucher_cents=3000, method="card"
    )
    assert {p.method: p.amount_cents for p in invoice.payments} == {"voucher": 3000, "card": 1900}
    db.session.expire_all()
    voucher = db.session.get(Voucher, voucher.id)
    assert voucher.remaining_cents == 2000
    assert [(e.kind, e.amount_cents) for e in voucher.entries] == [("sold", 5000), ("redeemed", -3000)]
    owner = login_as(salon.owner)
    page = owner.get("/vouchers?state=partly_redeemed").get_data(as_text=True)
    assert vouchers.display_code(voucher.code) in page and "€20.00" in page
    assert "€20.00" in owner.get(f"/vouchers/{voucher.id}").get_data(as_text=True)


def test_over_the_rest_or_expired_is_refused_and_nothing_changes(salon, service, login_as):
    customer_id = factories.make_customer(salon.account, "Knapp")
    voucher = _sell(salon, customer_id, 2000)
    visit = factories.book(salon, customer_id, utcnow() - timedelta(minutes=50), service)
    staff = login_as(salon.staff)
    form = sale_form(salon, line(0, service_id=service.id), voucher_code=voucher.code, voucher_amount="30,00")
    response = staff.post(f"/appointments/{visit.id}/checkout", data=form)
    assert response.status_code == 422 and "The voucher has only €20.00 left." in response.get_data(as_text=True)
    assert invoice_count() == 1 and db.session.get(Voucher, voucher.id).remaining_cents == 2000

    gift = factories.check_out(
        salon, customer_id=customer_id, lines=[LineInput(LineKind.PRODUCT, description="x", unit_price_cents=100)]
    )
    assert gift.total_cents == 100
    created = login_as(salon.owner).post(
        f"/vouchers/new?customer={customer_id}", data={"value": "25", "valid_until": salon.account.today().isoformat()}
    )  # the salon's day, not UTC's
    assert created.status_code == 302
    short = db.session.scalars(select(Voucher).where(Voucher.sold_invoice_id.is_(None))).one()
    with factories.travel_to(utcnow() + timedelta(days=2)):
        staff = login_as(salon.staff)  # two days later: a new session
        response = staff.post(
            f"/appointments/{visit.id}/checkout",
            data=sale_form(salon, line(0, service_id=service.id), voucher_code=short.code, key="f2"),
        )
    assert response.status_code == 422 and "This voucher has expired." in response.get_data(as_text=True)
    db.session.expire_all()
    assert invoice_count() == 2 and db.session.get(Voucher, short.id).remaining_cents == 2500


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "0"}, "between 1,00 € and 10.000,00 €"),
        ({"value": "-3"}, "Please enter an amount in euros"),
        ({"value": "20", "valid_until": "2020-01-01"}, "The validity cannot end in the past."),
    ],
)
def test_bad_voucher_input_creates_nothing(salon, login_as, data, message):
    response = login_as(salon.owner).post("/vouchers/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(Voucher)).all() == []


def test_paying_out_the_rest_resolves_the_erasure_blocker(salon, service, login_as):
    customer_id = factories.make_customer(salon.account, "Rest", email="rest@example.com")
    voucher = _sell(salon, customer_id, 1500)
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "in_person", "location_id": salon.location.id, "note": ""},
    )
    request_id = db.session.scalar(select(PrivacyRequest.id))
    page = owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    link = f"/vouchers/{voucher.id}?from_request={request_id}"
    assert link in page.replace("&amp;", "&")
    detail = owner.get(link).get_data(as_text=True)
    assert "Back to the privacy request" in detail
    refused = owner.post(
        f"/vouchers/{voucher.id}/close", data={"kind": "paid_out", "reason": "", "from_request": request_id}
    )
    assert refused.status_code == 422 and db.session.get(Voucher, voucher.id).remaining_cents == 1500
    done = owner.post(
        f"/vouchers/{voucher.id}/close",
        data={"kind": "paid_out", "reason": "Kundin wünscht Auszahlung", "from_request": request_id},
    )
    assert done.headers["Location"].endswith(f"/privacy/requests/{request_id}")
    db.session.expire_all()
    closed = db.session.get(Voucher, voucher.id)
    assert (closed.remaining_cents, closed.entries[-1].kind, closed.entries[-1].reason) == (
        0,
        "paid_out",
        "Kundin wünscht Auszahlung",
    )
    (entry,) = events("sale", action="voucher_paid_out")
    assert entry.changes["remaining"] == {"old": 1500, "new": 0}
    month = salon.account.today().strftime("%Y-%m")
    book = owner.get(f"/cash-book?month={month}").get_data(as_text=True)
    assert "-€15.00" in book or "−€15.00" in book
    assert "Resolve first:" not in owner.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert (
        owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id)).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer_id) is None
    assert db.session.get(Voucher, voucher.id).customer_id is None  # the voucher's bookkeeping stays, nameless
