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
        "accountant", "admin", "owner", "staff"]
    values = db.session.execute(select(CustomerFieldValue, CustomerFieldDefinition.account_id, Customer.account_id)
                                .join(CustomerFieldDefinition, CustomerFieldDefinition.id == CustomerFieldValue.field_id)
                                .join(Customer, Customer.id == CustomerFieldValue.customer_id)).all()
    assert len(values) > 50
    assert all(value.account_id == field_account == customer_account == demo.id
               for value, field_account, customer_account in values)
    assert any("\n" in value.value for value, _f, _c in values)
    notes = list(db.session.scalars(select(Customer.notes).where(Customer.account_id == demo.id, Customer.notes != "")))
    assert 10 < len(notes) < 200 and any("," in note for note in notes)
