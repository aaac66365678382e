"""The demo data that `make run` seeds: both salons, every role, and customer files that look
like a salon's (notes and own fields, some with commas and line breaks), each in its own salon."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo import seed
from portal.extensions import db
from portal.models import Account, Customer, CustomerFieldDefinition, CustomerFieldValue, Login


def test_demo_seed_builds_both_salons_with_realistic_customer_files(app):
    summary = seed(200)
    assert "salon-sonnenschein with 200 customers" in summary
    demo = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
    other = db.session.scalar(select(Account).where(Account.slug == "beauty-lounge-hamburg"))

    def customers(account):
        return db.session.scalar(select(func.count()).select_from(Customer).where(Customer.account_id == account.id))

    assert (customers(demo), customers(other)) == (200, 20)
    assert sorted(db.session.scalars(select(Login.role).where(Login.account_id == demo.id))) == [
        "accountant",
        "admin",
        "owner",
        "staff",
    ]
    values = db.session.execute(
        select(CustomerFieldValue, CustomerFieldDefinition.account_id, Customer.account_id)
        .join(CustomerFieldDefinition, CustomerFieldDefinition.id == CustomerFieldValue.field_id)
        .join(Customer, Customer.id == CustomerFieldValue.customer_id)
    ).all()
    assert len(values) > 50
    assert all(
        value.account_id == field_account == customer_account == demo.id
        for value, field_account, customer_account in values
    )
    assert any("\n" in value.value for value, _f, _c in values)
    notes = list(db.session.scalars(select(Customer.notes).where(Customer.account_id == demo.id, Customer.notes != "")))
    assert 10 < len(notes) < 200 and any("," in note for note in notes)


def test_demo_salon_has_a_daily_life_recorded_by_the_till(app):
    from datetime import timedelta

    from portal import activity
    from portal.checkout.service import unbilled
    from portal.models import Appointment, BonusProgram, Invoice, InvoicePayment, StampEntry, Voucher
    from portal.models.base import utcnow

    seed(300)
    demo = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
    invoices = db.session.scalars(select(Invoice).where(Invoice.account_id == demo.id)).all()
    assert {i.kind for i in invoices} == {"invoice", "cancellation"}
    numbers = sorted(int(i.number[2:]) for i in invoices)
    assert numbers == list(range(1, len(numbers) + 1))  # gapless, and the counter goes on from there
    assert all(i.payments or i.total_cents == 0 for i in invoices)
    assert db.session.scalar(select(func.count()).select_from(InvoicePayment).where(InvoicePayment.method == "voucher"))
    statuses = set(db.session.scalars(select(Appointment.status).where(Appointment.account_id == demo.id)))
    assert {"attended", "no_show", "cancelled", "booked"} <= statuses
    assert unbilled(demo)[0] >= 1
    partly = [
        v
        for v in db.session.scalars(select(Voucher).where(Voucher.account_id == demo.id))
        if 0 < v.remaining_cents < v.initial_cents
    ]
    assert partly and all(v.entries for v in partly)
    assert len(db.session.scalars(select(BonusProgram).where(BonusProgram.account_id == demo.id)).all()) == 2
    assert db.session.scalar(select(func.count()).select_from(StampEntry))
    last = [
        c.last_activity_at
        for c in db.session.scalars(select(Customer).where(Customer.account_id == demo.id))
        if c.last_activity_at
    ]
    assert min(last) < utcnow() - timedelta(days=4 * 365) and max(last) > utcnow() - timedelta(days=7)
    sample = db.session.scalars(select(Customer.id).where(Customer.account_id == demo.id).limit(40)).all()
    assert all(db.session.get(Customer, cid).last_activity_at == activity.computed(cid) for cid in sample)
