"""Activity, defined once and kept: the stored column equals the definition after every
operation that changes it; dates in the salon's calendar; the accountant only reads; the
state per location."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import activity
from portal.audit import Actor
from portal.checkout.service import LineInput
from portal.customers.duplicates import merge_customers
from portal.extensions import db
from portal.messaging import eligibility
from portal.messaging.consent import set_consent
from portal.models import Customer, Invoice, LineKind, Location, PrivacyRequest, Voucher
from portal.models.base import utcnow
from portal.requests.erasure import erase_customer
from tests import factories
from tests.checkout.helpers import invoice_count, line, sale_form
from tests.history.helpers import events


def _stored_equals_definition(*ids: int) -> list:
    db.session.expire_all()
    values = []
    for cid in ids:
        stored = db.session.get(Customer, cid).last_activity_at
        assert stored == activity.computed(cid), cid
        values.append(stored)
    return values


def test_the_column_equals_the_definition_after_every_operation(salon):
    service = factories.make_service(salon.account)
    now = utcnow()
    ada = factories.customer_since(salon.account, now - timedelta(days=900), "Ada")
    ben = factories.customer_since(salon.account, now - timedelta(days=900), "Ben")
    assert _stored_equals_definition(ada, ben) == [None, None]

    first = factories.visit(salon, ada, now - timedelta(days=200), service)  # checkout of a visit
    assert _stored_equals_definition(ada) == [first.issued_at]  # the checkout, 50 minutes after the start
    sale = factories.check_out(
        salon,
        customer_id=ada,
        when=now - timedelta(days=100),  # a walk-in sale
        lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=900)],
    )
    assert _stored_equals_definition(ada) == [sale.issued_at]
    factories.no_show(salon, ada, now - timedelta(days=50), service)  # a no-show is no activity
    assert _stored_equals_definition(ada) == [sale.issued_at]
    factories.storno(salon, sale)  # cancelling the sale: back to the visit's checkout
    assert _stored_equals_definition(ada) == [first.issued_at]
    factories.storno(salon, first)  # cancelling the visit's invoice: the visit is to be billed again
    assert _stored_equals_definition(ada) == [None]

    later = factories.visit(salon, ben, now - timedelta(days=10), service)
    assert _stored_equals_definition(ben) == [later.issued_at]
    merge_customers(
        Actor(salon.account.id, salon.owner.id), db.session.get(Customer, ada), db.session.get(Customer, ben)
    )
    db.session.commit()
    assert _stored_equals_definition(ada) == [later.issued_at]  # the merged customer's visits count

    cleo = factories.customer_since(salon.account, now - timedelta(days=900), "Cleo")
    factories.visit(salon, cleo, now - timedelta(days=5), service)
    erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, cleo))
    db.session.commit()
    assert _stored_equals_definition(ada) == [later.issued_at]  # the others' activity is untouched
    # The erased customer's retained invoice counts for nobody.
    assert db.session.scalars(select(Invoice.customer_id).where(Invoice.billed_name.like("%Cleo%"))).all() == [None]


def test_the_marketing_window_starts_at_the_salons_midnight(salon):
    """36 months before 2 December 2026 is 2 December 2023, 00:00 in Berlin = 23:00 UTC on the
    1st. A purchase at 23:30 UTC on 1 December is inside the window; one at 22:30 is not."""
    factories.privacy_settings(salon, marketing_enabled=True)
    reasons = {}
    for name, moment in (
        ("Drinnen", datetime(2023, 12, 1, 23, 30, tzinfo=UTC)),
        ("Draussen", datetime(2023, 12, 1, 22, 30, tzinfo=UTC)),
    ):
        cid = factories.customer_since(
            salon.account, moment - timedelta(days=30), name, email=f"{name.lower()}@example.com"
        )
        factories.check_out(
            salon,
            customer_id=cid,
            when=moment,
            lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=900)],
        )
        set_consent(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, cid), "email", "granted", "oral")
        db.session.commit()
        reasons[name] = eligibility.reason_for(
            db.session.get(Customer, cid), salon.location, "email", "newsletter", date(2026, 12, 2)
        )
    assert reasons == {"Drinnen": None, "Draussen": "inactive"}


def test_the_accountant_reads_the_till_and_changes_nothing(salon, login_as):
    service = factories.make_service(salon.account)
    customer_id = factories.make_customer(salon.account, "Buch")
    invoice = factories.visit(salon, customer_id, utcnow() - timedelta(hours=2), service)
    voucher_sale = factories.check_out(
        salon, customer_id=customer_id, lines=[LineInput(LineKind.VOUCHER, unit_price_cents=2000)]
    )
    voucher = db.session.scalars(select(Voucher)).one()
    open_visit = factories.book(salon, customer_id, utcnow() - timedelta(minutes=30), service)
    accountant = login_as(salon.accountant)
    month = salon.account.today().strftime("%Y-%m")
    for path in (
        "/checkout",
        f"/invoices/{invoice.id}",
        f"/invoices/{voucher_sale.id}",
        f"/cash-book?month={month}",
        "/vouchers",
        f"/vouchers/{voucher.id}",
    ):
        assert accountant.get(path).status_code == 200, path
    book = accountant.get(f"/cash-book?month={month}").get_data(as_text=True)
    assert "€69.00" in book  # 49 € visit + 20 € voucher sold, in cash
    writes = [
        (f"/appointments/{open_visit.id}/checkout", sale_form(salon, line(0, service_id=service.id))),
        ("/checkout/new", sale_form(salon, line(0, "product", description="Öl", price="5"))),
        (f"/invoices/{invoice.id}/cancel", {"reason": "x", "confirm": "y"}),
        (f"/appointments/{open_visit.id}/no-show", {}),
        ("/vouchers/new", {"value": "20"}),
        (f"/vouchers/{voucher.id}/close", {"kind": "voided", "reason": "x"}),
        ("/settings/bonus-programs", {"name": "x", "stamps_required": 3, "reward": "x", "service_ids": [service.id]}),
        (f"/settings/locations/{salon.location.id}", {"name": "x", "state": "BY"}),
        (f"/customers/{customer_id}/stamp-cards", {"program_id": 1}),
    ]
    for path, data in writes:
        assert accountant.post(path, data=data).status_code == 403, path
    assert invoice_count() == 2 and db.session.get(Invoice, invoice.id).status == "paid"
    assert db.session.get(Voucher, voucher.id).remaining_cents == 2000
    assert db.session.get(Location, salon.location.id).state == "BE"


@pytest.mark.parametrize("state", ["XX", "", "Bayern"])
def test_a_state_that_does_not_exist_is_refused(salon, login_as, state):
    owner = login_as(salon.owner)
    response = owner.post(f"/settings/locations/{salon.location.id}", data={"name": "Mitte", "state": state})
    assert response.status_code == 422
    assert "Please choose a state from the list." in response.get_data(
        as_text=True
    ) or "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Location, salon.location.id).state == "BE"


def test_deadlines_follow_the_state_of_the_location_the_request_came_through(salon, login_as):
    """Received on 6 December 2026: due on 6 January 2027, Epiphany, a holiday in Bavaria only."""
    owner = login_as(salon.owner)
    response = owner.post(
        f"/settings/locations/{salon.location.id}", data={"name": salon.location.name, "city": "München", "state": "BY"}
    )
    assert response.status_code == 302
    (changed,) = events("setting", action="updated", entity_type="location")
    assert changed.changes["state"] == {"old": "BE", "new": "BY"}
    berlin = Location(account_id=salon.account.id, name="Filiale Berlin", city="Berlin", state="BE")
    db.session.add(berlin)
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Frist")
    with factories.travel_to(datetime(2026, 12, 6, 10, tzinfo=UTC)):
        owner = login_as(salon.owner)
        for location in (salon.location, berlin):
            owner.post(
                f"/customers/{customer_id}/privacy-requests",
                data={"kind": "access", "channel": "in_person", "location_id": location.id, "note": ""},
            )
    due = dict(db.session.execute(select(PrivacyRequest.location_id, PrivacyRequest.due_on)).all())
    assert due == {salon.location.id: date(2027, 1, 7), berlin.id: date(2027, 1, 6)}
