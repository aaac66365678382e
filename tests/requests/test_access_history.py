"""The access package's change history names the fields each change touched — sorted, read out
of the event by the database — and never the salon's own fields (their labels may be a trade
secret)."""

from __future__ import annotations

from portal.audit import Actor
from portal.customers.service import update_customer
from portal.extensions import db
from portal.models import Customer, CustomerFieldDefinition
from portal.requests.access import collect
from tests import factories


def test_each_change_lists_the_fields_it_touched_without_the_salons_own(salon):
    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="r", label="Farbrezeptur", is_trade_secret=True)
    db.session.add(recipe)
    db.session.commit()
    customer_id = factories.make_customer(salon.account, "Weber", "Lena", phone="+491701112233")
    customer = db.session.get(Customer, customer_id)
    update_customer(
        Actor(salon.account.id, salon.owner.id),
        customer,
        {"phone": "+491709998877", "email": "lena@example.com", "city": "Köln"},
        {recipe.id: "7/1 + 6 %"},
    )
    db.session.commit()
    history = collect(customer)["change_history"]
    assert [entry["action"] for entry in history] == ["created", "updated"]
    assert history[-1]["fields"] == ["city", "email", "phone"]
    assert all(not field.startswith("custom:") for entry in history for field in entry["fields"])
