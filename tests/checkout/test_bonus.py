"""Bonus programs: stamps from counting services at checkout, a full card's reward at the next
checkout, a new card started; a storno takes its stamps back; access package and erasure."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import BonusProgram, Customer, LineKind, PrivacyRequest, StampCard, StampEntry
from portal.models.base import utcnow
from portal.requests.access import build_package
from tests import factories
from tests.checkout.helpers import line, sale_form
from tests.history.helpers import events


def test_stamps_fill_a_card_and_the_reward_comes_at_the_next_checkout(salon, login_as):
    cut = factories.make_service(salon.account, "Schnitt", 4000)
    colour = factories.make_service(salon.account, "Färben", 7000)
    owner = login_as(salon.owner)
    bad = owner.post(
        "/settings/bonus-programs",
        data={"name": "Treue", "stamps_required": "0", "reward": "x", "service_ids": [cut.id]},
    )
    assert bad.status_code == 422 and "Between 1 and 50 stamps." in bad.get_data(as_text=True)
    assert db.session.scalars(select(BonusProgram)).all() == []
    owner.post(
        "/settings/bonus-programs",
        data={
            "name": "Treuekarte",
            "stamps_required": "3",
            "reward": "Ein Schnitt gratis",
            "service_ids": [cut.id],
            "active": "y",
        },
    )
    program = db.session.scalars(select(BonusProgram)).one()
    assert [s.name for s in program.services] == ["Schnitt"]
    (created,) = events("setting", action="created", entity_type="bonus_program")
    customer_id = factories.make_customer(salon.account, "Treu")
    owner.post(f"/customers/{customer_id}/stamp-cards", data={"program_id": program.id})
    (card,) = db.session.scalars(select(StampCard)).all()

    def visit(days_ago, *services):
        appointment = factories.book(salon, customer_id, utcnow() - timedelta(days=days_ago), services[0])
        return factories.check_out(
            salon, appointment, lines=[LineInput(LineKind.SERVICE, service_id=s.id) for s in services]
        )

    visit(30, colour)  # colouring does not count
    assert db.session.get(StampCard, card.id).stamps == 0
    visit(20, cut)
    visit(10, cut, cut)  # two cuts: two stamps, the card is full
    db.session.expire_all()
    full = db.session.get(StampCard, card.id)
    assert (full.stamps, full.completed_at is not None, full.redeemed_at) == (3, True, None)
    fresh = db.session.scalars(select(StampCard).where(StampCard.id != card.id)).one()
    assert fresh.stamps == 0 and fresh.completed_at is None  # a new card has started

    today = factories.book(salon, customer_id, utcnow() - timedelta(minutes=40), cut)
    page = login_as(salon.staff).get(f"/appointments/{today.id}/checkout").get_data(as_text=True)
    assert "Treuekarte: Ein Schnitt gratis" in page
    staff = login_as(salon.staff)
    response = staff.post(
        f"/appointments/{today.id}/checkout",
        data=sale_form(salon, line(0, service_id=cut.id), reward_card_ids=[card.id]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StampCard, card.id).redeemed_at is not None
    invoice = db.session.get(StampCard, card.id).redeemed_invoice_id
    from portal.models import Invoice

    rewarded = db.session.get(Invoice, invoice)
    assert [(li.kind, li.unit_price_cents) for li in rewarded.lines] == [("service", 4000), ("reward", 0)]
    assert db.session.get(StampCard, fresh.id).stamps == 1  # today's cut is the new card's first stamp

    # The storno of today's visit gives the reward back and takes the stamp back.
    factories.storno(salon, rewarded)
    db.session.expire_all()
    assert db.session.get(StampCard, card.id).redeemed_at is None
    assert db.session.get(StampCard, fresh.id).stamps == 0

    # The customer sees it in the file and in the access package; the erasure deletes it.
    file_page = owner.get(f"/customers/{customer_id}/vouchers").get_data(as_text=True)
    assert "Treuekarte" in file_page and "3 / 3" in file_page
    request = PrivacyRequest(
        account_id=salon.account.id,
        location_id=salon.location.id,
        kind="access",
        status="in_progress",
        customer_id=customer_id,
        locale="de",
    )
    db.session.add(request)
    db.session.commit()
    package = zipfile.ZipFile(io.BytesIO(build_package(request, db.session.get(Customer, customer_id))))
    data = json.loads(package.read("data.json"))
    assert [(c["program"], c["stamps"], len(c["entries"])) for c in data["stamp_cards"]] == [
        ("Treuekarte", 3, 2),
        ("Treuekarte", 0, 2),
    ]
    assert "stamps.csv" in " ".join(package.namelist())
    from portal.audit import Actor
    from portal.requests.erasure import erase_customer

    erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
    db.session.commit()
    assert db.session.scalars(select(StampCard)).all() == [] and db.session.scalars(select(StampEntry)).all() == []
