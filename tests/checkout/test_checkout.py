"""Checkout: an appointment or a walk-in becomes an invoice with a gapless number; an invoice
is never edited, a storno corrects it; bad input changes nothing."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import (
    Appointment,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    LineKind,
    Voucher,
)
from portal.models.base import utcnow
from portal.models.business import InvoiceImmutable
from tests import factories
from tests.checkout.helpers import invoice_count, line, sale_form
from tests.history.helpers import events


@pytest.fixture
def service(salon):
    return factories.make_service(salon.account, "Damenhaarschnitt", 4900)


def _booked_today(salon, service, name="Sommer"):
    customer_id = factories.make_customer(salon.account, name, "Greta", email=f"{name.lower()}@example.com")
    return customer_id, factories.book(salon, customer_id, utcnow() - timedelta(minutes=50), service)


def test_checkout_attends_the_visit_once_with_the_pin_employee(salon, service, login_as):
    salon.account.pin_required = True
    db.session.commit()
    customer_id, appointment = _booked_today(salon, service)
    staff = login_as(salon.staff)
    page = staff.get(f"/appointments/{appointment.id}/checkout").get_data(as_text=True)
    assert "Damenhaarschnitt" in page and "Finish and create the invoice" in page
    pin = {"confirm-employee_id": salon.employee.id, "confirm-pin": factories.PIN}
    form = sale_form(
        salon, line(0, service_id=service.id), line(1, "product", description="Haaröl", price="12,50"), **pin
    )
    first = staff.post(f"/appointments/{appointment.id}/checkout", data=form)
    again = staff.post(f"/appointments/{appointment.id}/checkout", data=form)  # a double click
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert invoice_count() == 1
    invoice = db.session.scalars(select(Invoice)).one()
    assert (invoice.number, invoice.total_cents, invoice.customer_id) == ("R-0000001", 4900 + 1250, customer_id)
    assert [(li.description, li.unit_price_cents) for li in invoice.lines] == [
        ("Damenhaarschnitt", 4900),
        ("Haaröl", 1250),
    ]
    assert db.session.get(Appointment, appointment.id).status == "attended"
    (attended,) = events("appointment", action="attended")
    assert (attended.actor_login_id, attended.employee_id, attended.entity_id) == (
        salon.staff.id,
        salon.employee.id,
        appointment.id,
    )
    # A second form for the same visit is refused with a sentence; nothing changes.
    other = staff.post(f"/appointments/{appointment.id}/checkout", data={**form, "key": "form-2"})
    assert other.status_code == 422
    assert "already checked out" in other.get_data(as_text=True)
    assert invoice_count() == 1
    assert db.session.get(InvoiceCounter, salon.account.id).last_number == 1


def test_invoice_shows_what_section_14_asks_for_with_vat_per_rate(salon, service, login_as):
    salon.location.street, salon.location.postal_code, salon.location.tax_id = "Hauptstr. 1", "10115", "27/123/45678"
    db.session.commit()
    customer_id, appointment = _booked_today(salon, service)
    invoice = factories.check_out(
        salon,
        appointment,
        discount_percent=10,
        lines=[
            LineInput(LineKind.SERVICE, service_id=service.id),
            LineInput(LineKind.PRODUCT, description="Shampoo", unit_price_cents=1070, vat_rate_permille=70),
        ],
    )
    # 10 % off each rate, one discount line per rate (§ 14 Abs. 4 Nr. 7 UStG).
    assert [(li.kind, li.unit_price_cents, li.vat_rate_permille) for li in invoice.lines] == [
        ("service", 4900, 190),
        ("product", 1070, 70),
        ("discount", -490, 190),
        ("discount", -107, 70),
    ]
    assert invoice.total_cents == 4900 + 1070 - 490 - 107
    assert invoice.seller_address == "Hauptstr. 1\n10115 Berlin" and invoice.seller_tax_id == "27/123/45678"
    assert invoice.service_date == salon.account.local_date(appointment.starts_at)
    salon.accountant.locale = "de"
    db.session.commit()
    page = login_as(salon.accountant).get(f"/invoices/{invoice.id}").get_data(as_text=True)
    # 44,10 € gross at 19 %: 37,06 net + 7,04 VAT; 9,63 € at 7 %: 9,00 net + 0,63 VAT.
    for text in (
        "R-0000001",
        "Salon A",
        "Hauptstr. 1",
        "27/123/45678",
        "Greta Sommer",
        "37,06",
        "7,04",
        "9,00",
        "0,63",
        "53,73",
        "Netto zu 19 %",
        "Leistungsdatum",
    ):
        assert text in page, text


def test_invoice_over_250_euro_needs_the_buyers_address(salon, service):
    customer_id = factories.make_customer(salon.account, "Ohneadresse")
    big = [LineInput(LineKind.PRODUCT, description="Glätteisen", unit_price_cents=26000)]
    with pytest.raises(Exception, match="buyer-address"):
        factories.check_out(salon, customer_id=customer_id, lines=big)
    db.session.rollback()
    assert invoice_count() == 0


def test_an_invoice_is_never_edited(salon, service):
    _, appointment = _booked_today(salon, service)
    invoice = factories.check_out(salon, appointment)
    invoice.total_cents = 1
    with pytest.raises(InvoiceImmutable):
        db.session.flush()
    db.session.rollback()
    invoice.lines[0].unit_price_cents = 1
    with pytest.raises(InvoiceImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Invoice, invoice.id).total_cents == 4900


def test_storno_keeps_the_original_and_sums_to_zero(salon, service, login_as):
    customer_id, appointment = _booked_today(salon, service)
    voucher = factories.check_out(
        salon, customer_id=customer_id, lines=[LineInput(LineKind.VOUCHER, unit_price_cents=3000)]
    )
    sold = db.session.scalars(select(Voucher)).one()
    invoice = factories.check_out(salon, appointment, voucher_code=sold.code)  # 30 € voucher, 19 € cash
    before = {k: getattr(invoice, k) for k in ("number", "total_cents", "issued_at", "billed_name")}
    owner = login_as(salon.owner)
    refused = owner.post(f"/invoices/{invoice.id}/cancel", data={"reason": "", "confirm": "y"})
    assert refused.status_code == 422 and invoice_count() == 2
    response = owner.post(f"/invoices/{invoice.id}/cancel", data={"reason": "Falsche Leistung", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    original = db.session.get(Invoice, invoice.id)
    storno = db.session.scalars(select(Invoice).where(Invoice.cancels_invoice_id == invoice.id)).one()
    assert {k: getattr(original, k) for k in before} == before and original.status == "cancelled"
    assert (storno.kind, storno.number, storno.cancel_reason) == (
        InvoiceKind.CANCELLATION,
        "R-0000003",
        "Falsche Leistung",
    )
    assert storno.total_cents + original.total_cents == 0
    assert sum(li.total_cents for li in storno.lines + original.lines) == 0
    assert {p.method: p.amount_cents for p in storno.payments} == {"voucher": -3000, "cash": -1900}
    assert db.session.get(Voucher, sold.id).remaining_cents == 3000  # the voucher got its value back
    assert db.session.get(Appointment, appointment.id).status == "booked"  # to be billed again
    page = owner.get(f"/invoices/{storno.id}").get_data(as_text=True)
    assert f"cancels invoice {invoice.number}" in page and "Falsche Leistung" in page
    # Twice, or a storno of the storno: refused, nothing changes.
    assert owner.post(f"/invoices/{invoice.id}/cancel", data={"reason": "x", "confirm": "y"}).status_code == 422
    assert owner.post(f"/invoices/{storno.id}/cancel", data={"reason": "x", "confirm": "y"}).status_code == 422
    assert invoice_count() == 3 and voucher.status == "paid"


def test_storno_of_a_sold_voucher_that_was_used_is_refused(salon, service):
    customer_id, appointment = _booked_today(salon, service)
    sale = factories.check_out(
        salon, customer_id=customer_id, lines=[LineInput(LineKind.VOUCHER, unit_price_cents=2000)]
    )
    voucher = db.session.scalars(select(Voucher)).one()
    factories.check_out(salon, appointment, voucher_code=voucher.code, voucher_cents=500)
    with pytest.raises(Exception, match="sold-voucher-used"):
        factories.storno(salon, sale)
    db.session.rollback()
    assert db.session.get(Invoice, sale.id).status == "paid" and invoice_count() == 2


BAD_LINES = [
    (line(0, "product", description="Öl", price="-5,00"), "Please enter an amount in euros"),
    (line(0, "product", description="Öl", price="20.000,00"), "between 0,00 € and 10.000,00 €"),
    (line(0, "product", description="Öl", price="99999999"), "Please enter an amount in euros"),
    (line(0, "product", description="Öl", price="abc"), "Please enter an amount in euros"),
    (line(0, "product", description="Öl", price="5", vat=160), "Not a valid choice"),
    (line(0, "product", description="", price="5"), "Please describe each product line."),
    (line(0, "voucher", price="0,50"), "A voucher is worth between 1,00 € and 10.000,00 €."),
    (line(0, "service", service_id=999999), "Please choose a service from the list."),
    (line(0, "product", description="Öl", price="5", quantity=500), "Between 1 and 99."),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_bad_lines_get_a_sentence_and_change_nothing(salon, service, login_as, bad, message):
    _, appointment = _booked_today(salon, service)
    staff = login_as(salon.staff)
    response = staff.post(f"/appointments/{appointment.id}/checkout", data=sale_form(salon, bad))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert invoice_count() == 0 and db.session.get(InvoiceCounter, salon.account.id) is None
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_a_voucher_of_another_salon_is_unknown_here(salon, other_salon, service, login_as):
    theirs = factories.check_out(other_salon, lines=[LineInput(LineKind.VOUCHER, unit_price_cents=5000)])
    code = db.session.scalars(select(Voucher).where(Voucher.sold_invoice_id == theirs.id)).one().code
    _, appointment = _booked_today(salon, service)
    response = login_as(salon.staff).post(
        f"/appointments/{appointment.id}/checkout",
        data=sale_form(salon, line(0, service_id=service.id), voucher_code=code),
    )
    assert response.status_code == 422
    assert "No voucher of this salon has this code." in response.get_data(as_text=True)
    assert db.session.scalars(select(Invoice).where(Invoice.account_id == salon.account.id)).all() == []


def test_no_show_is_logged_and_a_future_visit_cannot_be_checked_out(salon, service, login_as):
    customer_id, appointment = _booked_today(salon, service)
    staff = login_as(salon.staff)
    assert staff.post(f"/appointments/{appointment.id}/no-show").status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "no_show"
    (entry,) = events("appointment", action="no_show")
    assert entry.actor_login_id == salon.staff.id
    refused = staff.post(
        f"/appointments/{appointment.id}/checkout", data=sale_form(salon, line(0, service_id=service.id))
    )
    assert refused.status_code == 422 and invoice_count() == 0
    later = factories.book(salon, customer_id, utcnow() + timedelta(days=3), service)
    response = staff.post(f"/appointments/{later.id}/checkout", data=sale_form(salon, line(0, service_id=service.id)))
    assert "cannot be checked out yet" in response.get_data(as_text=True) and invoice_count() == 0


def test_yesterdays_booked_visit_is_still_to_be_billed(salon, service, login_as):
    customer_id = factories.make_customer(salon.account, "Vergessen")
    yesterday = factories.book(salon, customer_id, utcnow() - timedelta(days=1, hours=1), service)
    _today = factories.book(salon, customer_id, utcnow() - timedelta(minutes=30), service)
    owner = login_as(salon.owner)
    for path in ("/overview", "/appointments"):
        page = owner.get(path).get_data(as_text=True)
        assert "Still to be billed" in page and f"/appointments/{yesterday.id}/checkout" in page, path
    factories.check_out(salon, yesterday)
    assert f"/appointments/{yesterday.id}/checkout" not in owner.get("/overview").get_data(as_text=True)


def test_two_tills_at_once_get_gapless_numbers(app, salon, service):
    """Two threads, each its own connection and transaction, check out at the same time."""
    per_thread, errors = 8, []
    account_id, location_id = salon.account.id, salon.location.id
    barrier = threading.Barrier(2)

    def till(name: str) -> None:
        from portal.audit import Actor
        from portal.checkout.service import CheckoutInput, checkout

        with app.app_context():
            try:
                barrier.wait()
                for n in range(per_thread):
                    checkout(
                        Actor(account_id, None),
                        CheckoutInput(
                            location_id=location_id,
                            key=f"{name}-{n}",
                            lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=500 + n)],
                        ),
                    )
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=till, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    numbers = sorted(db.session.scalars(select(Invoice.number).where(Invoice.account_id == account_id)))
    assert numbers == [f"R-{n:07d}" for n in range(1, 2 * per_thread + 1)]


def test_the_numbers_are_per_salon_and_a_failed_checkout_gives_its_number_back(salon, other_salon, service):
    factories.check_out(salon, lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=500)])
    with pytest.raises(Exception, match="unknown-voucher"):
        factories.check_out(
            salon, voucher_code="NOPE", lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=500)]
        )
    db.session.rollback()
    theirs = factories.check_out(other_salon, lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=1)])
    ours = factories.check_out(salon, lines=[LineInput(LineKind.PRODUCT, description="Öl", unit_price_cents=500)])
    assert (theirs.number, ours.number) == ("R-0000001", "R-0000002")


def test_retention_of_an_invoice_from_half_past_midnight_on_new_years_day(salon, service, login_as):
    """00:30 on 1 January 2026 in Berlin is 23:30 UTC on 31 December 2025: the invoice belongs
    to 2026 and is kept to the end of 2034 (§ 147 Abs. 3, 4 AO)."""
    moment = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    customer_id = factories.customer_since(salon.account, moment - timedelta(days=10), "Silvester")
    factories.check_out(
        salon,
        customer_id=customer_id,
        when=moment,
        lines=[LineInput(LineKind.PRODUCT, description="Sekt", unit_price_cents=900)],
    )
    from portal.audit import Actor
    from portal.models import Customer
    from portal.requests.erasure import erase_customer

    erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
    db.session.commit()
    assert db.session.scalars(select(Invoice.retained_until)).one() == date(2034, 12, 31)


def test_purge_after_the_retention_keeps_a_later_storno(salon, service):
    """An invoice of December cancelled in January: the original's period ends a year before
    the storno's, and purging it must not break the storno (foreign keys on PostgreSQL)."""
    customer_id = factories.customer_since(salon.account, datetime(2024, 12, 1, tzinfo=UTC), "Jahreswechsel")
    invoice = factories.check_out(
        salon,
        customer_id=customer_id,
        when=datetime(2024, 12, 30, 12, tzinfo=UTC),
        lines=[LineInput(LineKind.VOUCHER, unit_price_cents=2000)],
    )
    factories.storno(salon, invoice, when=datetime(2025, 1, 3, 12, tzinfo=UTC))
    from portal.audit import Actor
    from portal.models import Customer
    from portal.requests.daily import purge_retained_invoices
    from portal.requests.erasure import erase_customer

    with factories.travel_to(datetime(2025, 2, 1, tzinfo=UTC)):
        erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
        db.session.commit()
    with factories.travel_to(datetime(2033, 1, 2, 12, tzinfo=UTC)):
        assert purge_retained_invoices() == 1
        db.session.commit()
    left = db.session.scalars(select(Invoice)).one()
    assert (left.kind, left.retained_until, left.cancels_invoice_id) == ("cancellation", date(2033, 12, 31), None)
