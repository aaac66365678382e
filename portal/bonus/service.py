"""Bonus programs (Bonus- und Stempelkarten): a program counts stamps for some services; a
card activated in the customer file collects them at every checkout; a full card offers its
reward at the next checkout, and the stamps beyond it start the next card at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.audit import Actor, field_changes, record
from portal.extensions import db
from portal.models import BonusProgram, Customer, Invoice, InvoiceLine, LineKind, Service, StampCard, StampEntry
from portal.models.base import utcnow
from portal.transaction import transaction

MAX_STAMPS = 50


class BonusError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class ProgramData:
    name: str
    stamps_required: int
    reward: str
    service_ids: list[int]
    active: bool


def programs(account_id: int, active_only: bool = False) -> list[BonusProgram]:
    statement = select(BonusProgram).where(BonusProgram.account_id == account_id)
    if active_only:
        statement = statement.where(BonusProgram.active.is_(True))
    return list(db.session.scalars(statement.order_by(BonusProgram.name)))


def _snapshot(program: BonusProgram) -> dict:
    return {
        "name": program.name,
        "stamps_required": program.stamps_required,
        "reward": program.reward,
        "services": sorted(s.name for s in program.services),
        "active": program.active,
    }


@transaction
def save_program(actor: Actor, program: BonusProgram | None, data: ProgramData) -> BonusProgram:
    """Create (program=None) or change a program; one settings-history entry with the diff."""
    if not data.name.strip() or not data.reward.strip():
        raise BonusError("required")
    if not 1 <= data.stamps_required <= MAX_STAMPS:
        raise BonusError("stamps")
    services = list(
        db.session.scalars(
            select(Service).where(Service.account_id == actor.account_id, Service.id.in_(data.service_ids))
        )
    )
    if len(services) != len(set(data.service_ids)) or not services:
        raise BonusError("services")
    created = program is None
    before = {} if created else _snapshot(program)
    if created:
        program = BonusProgram(account_id=actor.account_id)
        db.session.add(program)
    program.name, program.stamps_required = data.name.strip()[:200], data.stamps_required
    program.reward, program.active, program.services = data.reward.strip()[:200], data.active, services
    db.session.flush()
    after = _snapshot(program)
    changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if changes:
        record(
            actor,
            "setting",
            "created" if created else "updated",
            "bonus_program",
            program.id,
            field_changes(changes),
            summary=program.name,
        )
    return program


def cards(customer_id: int) -> list[StampCard]:
    return list(
        db.session.scalars(
            select(StampCard).where(StampCard.customer_id == customer_id).order_by(StampCard.program_id, StampCard.id)
        )
    )


def full_cards(customer_id: int | None) -> list[StampCard]:
    """Cards whose reward is waiting to be given."""
    if not customer_id:
        return []
    return [c for c in cards(customer_id) if c.completed_at is not None and c.redeemed_at is None]


def _open_card(customer_id: int, program_id: int) -> StampCard | None:
    return db.session.scalars(
        select(StampCard)
        .where(
            StampCard.customer_id == customer_id, StampCard.program_id == program_id, StampCard.completed_at.is_(None)
        )
        .order_by(StampCard.id)
    ).first()


@transaction
def activate(actor: Actor, customer: Customer, program: BonusProgram) -> StampCard:
    if program.account_id != customer.account_id or not program.active:
        raise BonusError("program")
    if _open_card(customer.id, program.id) is not None:
        raise BonusError("already-active")
    card = StampCard(account_id=customer.account_id, program_id=program.id, customer_id=customer.id, stamps=0)
    db.session.add(card)
    db.session.flush()
    record(
        actor,
        "customer",
        "card_activated",
        "stamp_card",
        card.id,
        {"program": {"old": None, "new": program.name}},
        customer_id=customer.id,
        summary=customer.full_name,
    )
    return card


def add_stamps(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, int]:
    """Stamps for the counting services of the customer's active cards; {program: stamps}."""
    added = {}
    if not invoice.customer_id:
        return added
    open_cards = db.session.scalars(
        select(StampCard)
        .join(BonusProgram)
        .where(
            StampCard.customer_id == invoice.customer_id,
            StampCard.completed_at.is_(None),
            BonusProgram.active.is_(True),
        )
        .order_by(StampCard.id)
    )
    for card in list(open_cards):
        counting = {s.id for s in card.program.services}
        stamps = sum(line.quantity for line in lines if line.kind == LineKind.SERVICE and line.service_id in counting)
        if stamps <= 0:
            continue
        added[card.program.name] = stamps
        while stamps > 0:
            taken = min(stamps, card.program.stamps_required - card.stamps)
            card.stamps += taken
            stamps -= taken
            db.session.add(
                StampEntry(account_id=invoice.account_id, card_id=card.id, invoice_id=invoice.id, stamps=taken)
            )
            if card.stamps >= card.program.stamps_required:
                card.completed_at = utcnow()
                card = StampCard(
                    account_id=invoice.account_id, program_id=card.program_id, customer_id=invoice.customer_id, stamps=0
                )
                db.session.add(card)
                db.session.flush()
    return added


def redeem_reward(card: StampCard, invoice: Invoice) -> InvoiceLine:
    """The reward of a full card as an invoice line at no charge."""
    if card.customer_id != invoice.customer_id or card.completed_at is None or card.redeemed_at is not None:
        raise BonusError("card")
    card.redeemed_at, card.redeemed_invoice_id = utcnow(), invoice.id
    return InvoiceLine(
        account_id=invoice.account_id,
        kind=LineKind.REWARD,
        quantity=1,
        unit_price_cents=0,
        vat_rate_permille=190,
        description=f"{card.program.name}: {card.program.reward}"[:200],
    )


def reverse(invoice: Invoice) -> None:
    """A cancelled invoice takes its stamps back and returns the reward it gave. A card it had
    filled is open again; stamps that had overflowed into the next card go back with it."""
    for card in db.session.scalars(select(StampCard).where(StampCard.redeemed_invoice_id == invoice.id)):
        card.redeemed_at, card.redeemed_invoice_id = None, None
    entries = list(
        db.session.scalars(select(StampEntry).where(StampEntry.invoice_id == invoice.id, StampEntry.stamps > 0))
    )
    for entry in entries:
        card = db.session.get(StampCard, entry.card_id)
        if card.redeemed_at is not None:
            continue  # the reward of that card was given at another visit: its stamps stay
        card.stamps = max(0, card.stamps - entry.stamps)
        db.session.add(
            StampEntry(account_id=invoice.account_id, card_id=card.id, invoice_id=invoice.id, stamps=-entry.stamps)
        )
        if card.stamps < card.program.stamps_required:
            card.completed_at = None
    db.session.flush()
    for program_id in {db.session.get(StampCard, e.card_id).program_id for e in entries}:
        _join_open_cards(invoice.customer_id, program_id)


def _join_open_cards(customer_id: int, program_id: int) -> None:
    """One open card per program: the stamps of later open cards move to the earliest."""
    open_cards = list(
        db.session.scalars(
            select(StampCard)
            .where(
                StampCard.customer_id == customer_id,
                StampCard.program_id == program_id,
                StampCard.completed_at.is_(None),
            )
            .order_by(StampCard.id)
        )
    )
    if len(open_cards) < 2:
        return
    first, *later = open_cards
    for card in later:
        first.stamps += card.stamps
        for entry in db.session.scalars(select(StampEntry).where(StampEntry.card_id == card.id)):
            entry.card_id = first.id
        db.session.flush()
        db.session.delete(card)
    if first.stamps >= first.program.stamps_required:
        first.completed_at = utcnow()
