"""Vouchers (Gutscheine): created or sold, redeemed at checkout in parts, paid out or voided
with a reason. Every change of the remaining value is a voucher entry (the voucher's own
history) and is made by a conditional UPDATE, so two checkouts can never spend one value twice."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update

from portal.audit import Actor, record
from portal.extensions import db
from portal.legal import voucher_valid_until
from portal.models import Account, Customer, Invoice, Voucher, VoucherEntry, VoucherEntryKind
from portal.models.base import utcnow
from portal.transaction import transaction

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
MIN_VALUE_CENTS, MAX_VALUE_CENTS = 100, 1_000_000  # 1 € to 10,000 €
STATES = ("created", "sold", "partly_redeemed", "redeemed", "expired", "paid_out", "voided")


class VoucherError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_code(account_id: int) -> str:
    while True:
        code = "G" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not db.session.scalar(select(Voucher.id).where(Voucher.account_id == account_id, Voucher.code == code)):
            return code


def display_code(code: str) -> str:
    return f"{code[:1]}-{code[1:5]}-{code[5:]}" if len(code) == 9 else code


def default_valid_until(account: Account) -> date:
    return voucher_valid_until(account.today().year)


def _entry(
    actor: Actor, voucher: Voucher, kind: str, amount: int, invoice: Invoice | None = None, reason: str = ""
) -> None:
    db.session.add(
        VoucherEntry(
            account_id=voucher.account_id,
            voucher_id=voucher.id,
            kind=kind,
            amount_cents=amount,
            invoice_id=invoice.id if invoice else None,
            reason=reason[:300],
            login_id=actor.login_id,
            employee_id=actor.employee_id,
        )
    )


@transaction
def issue(
    actor: Actor, value_cents: int, valid_until: date | None, customer_id: int | None, sold_by: Invoice | None = None
) -> Voucher:
    """A new voucher; `sold_by` when the till sold it (else it was created without a sale)."""
    account = db.session.get(Account, actor.account_id)
    if not MIN_VALUE_CENTS <= value_cents <= MAX_VALUE_CENTS:
        raise VoucherError("value")
    valid_until = valid_until or default_valid_until(account)
    if valid_until < account.today():
        raise VoucherError("valid-until")
    if customer_id is not None and not db.session.scalar(
        select(Customer.id).where(Customer.id == customer_id, Customer.account_id == account.id)
    ):
        raise VoucherError("customer")
    voucher = Voucher(
        account_id=account.id,
        code=_new_code(account.id),
        customer_id=customer_id,
        initial_cents=value_cents,
        remaining_cents=value_cents,
        expires_on=valid_until,
        sold_invoice_id=sold_by.id if sold_by else None,
    )
    db.session.add(voucher)
    db.session.flush()
    _entry(actor, voucher, VoucherEntryKind.SOLD if sold_by else VoucherEntryKind.ISSUED, value_cents, sold_by)
    if not sold_by:
        record(
            actor,
            "sale",
            "voucher_created",
            "voucher",
            voucher.id,
            {"value": {"old": None, "new": value_cents}, "valid_until": {"old": None, "new": valid_until.isoformat()}},
            customer_id=customer_id,
            summary=display_code(voucher.code),
        )
    return voucher


def find_by_code(account_id: int, code: str) -> Voucher | None:
    """Another salon's code is simply unknown here."""
    return db.session.scalars(
        select(Voucher).where(Voucher.account_id == account_id, Voucher.code == normalise_code(code))
    ).one_or_none()


def redeemable(voucher: Voucher, today: date) -> None:
    if voucher.closed_at is not None or voucher.remaining_cents <= 0:
        raise VoucherError("used-up")
    if voucher.expires_on is not None and voucher.expires_on < today:
        raise VoucherError("expired")


def _change(voucher: Voucher, delta: int) -> None:
    """Change the remaining value, never below zero, even with a concurrent change."""
    changed = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == voucher.id,
            Voucher.closed_at.is_(None),
            Voucher.remaining_cents + delta >= 0,
            Voucher.remaining_cents + delta <= Voucher.initial_cents,
        )
        .values(remaining_cents=Voucher.remaining_cents + delta)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise VoucherError("over-remaining")
    db.session.expire(voucher, ["remaining_cents"])


def redeem(actor: Actor, voucher: Voucher, amount: int, invoice: Invoice, today: date) -> None:
    redeemable(voucher, today)
    if amount <= 0 or amount > voucher.remaining_cents:
        raise VoucherError("over-remaining")
    _change(voucher, -amount)
    _entry(actor, voucher, VoucherEntryKind.REDEEMED, -amount, invoice)


def refund(actor: Actor, voucher: Voucher, amount: int, cancellation: Invoice) -> None:
    """A cancelled invoice gives back what it had redeemed (an expired voucher stays expired)."""
    _change(voucher, amount)
    _entry(actor, voucher, VoucherEntryKind.REFUNDED, amount, cancellation, reason=cancellation.cancel_reason)


def void_sold(actor: Actor, invoice: Invoice, cancellation: Invoice) -> None:
    """The vouchers a cancelled invoice had sold are void; refused if one was used already."""
    for voucher in db.session.scalars(select(Voucher).where(Voucher.sold_invoice_id == invoice.id)):
        if voucher.remaining_cents != voucher.initial_cents or voucher.closed_at is not None:
            raise VoucherError("sold-voucher-used")
        _close(actor, voucher, VoucherEntryKind.VOIDED, cancellation.cancel_reason, cancellation)


def _close(actor: Actor, voucher: Voucher, kind: str, reason: str, invoice: Invoice | None = None) -> int:
    remaining = voucher.remaining_cents
    closed = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.closed_at.is_(None), Voucher.remaining_cents == remaining)
        .values(remaining_cents=0, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        raise VoucherError("changed-meanwhile")
    db.session.expire(voucher, ["remaining_cents", "closed_at"])
    _entry(actor, voucher, kind, -remaining, invoice, reason)
    return remaining


@transaction
def close(actor: Actor, voucher: Voucher, kind: str, reason: str) -> int:
    """Auszahlen (paid out in cash) or Entwerten (voided) the remaining value, with a reason.
    This is also how an unredeemed voucher stops blocking its customer's erasure."""
    if kind not in (VoucherEntryKind.PAID_OUT, VoucherEntryKind.VOIDED):
        raise VoucherError("kind")
    if not reason.strip():
        raise VoucherError("reason")
    if voucher.closed_at is not None or voucher.remaining_cents <= 0:
        raise VoucherError("used-up")
    amount = _close(actor, voucher, kind, reason.strip())
    record(
        actor,
        "sale",
        f"voucher_{kind}",
        "voucher",
        voucher.id,
        {"remaining": {"old": amount, "new": 0}, "reason": {"old": None, "new": reason.strip()}},
        customer_id=voucher.customer_id,
        summary=display_code(voucher.code),
    )
    return amount


def state(voucher: Voucher, today: date) -> str:
    if voucher.closed_at is not None:
        last = voucher.entries[-1].kind if voucher.entries else VoucherEntryKind.VOIDED
        return "paid_out" if last == VoucherEntryKind.PAID_OUT else "voided"
    if voucher.remaining_cents <= 0:
        return "redeemed"
    if voucher.expires_on is not None and voucher.expires_on < today:
        return "expired"
    if voucher.remaining_cents < voucher.initial_cents:
        return "partly_redeemed"
    return "sold" if voucher.sold_invoice_id else "created"


def _state_filter(name: str, today: date):
    open_ = [Voucher.closed_at.is_(None), Voucher.remaining_cents > 0]
    valid = or_(Voucher.expires_on.is_(None), Voucher.expires_on >= today)
    return {
        "created": [*open_, valid, Voucher.sold_invoice_id.is_(None), Voucher.remaining_cents == Voucher.initial_cents],
        "sold": [*open_, valid, Voucher.sold_invoice_id.is_not(None), Voucher.remaining_cents == Voucher.initial_cents],
        "partly_redeemed": [*open_, valid, Voucher.remaining_cents < Voucher.initial_cents],
        "redeemed": [Voucher.closed_at.is_(None), Voucher.remaining_cents <= 0],
        "expired": [*open_, Voucher.expires_on < today],
        "closed": [Voucher.closed_at.is_not(None)],
    }[name]


FILTERS = ("all", "created", "sold", "partly_redeemed", "redeemed", "expired", "closed")


@dataclass
class Overview:
    vouchers: list[Voucher]
    outstanding_cents: int
    outstanding_count: int
    expired_cents: int


def overview(account: Account, filter_name: str = "all", code: str = "", limit: int = 200) -> Overview:
    today = account.today()
    statement = select(Voucher).where(Voucher.account_id == account.id)
    if filter_name in FILTERS and filter_name != "all":
        statement = statement.where(*_state_filter(filter_name, today))
    if normalise_code(code):
        statement = statement.where(Voucher.code.contains(normalise_code(code)))
    vouchers = list(db.session.scalars(statement.order_by(Voucher.issued_at.desc(), Voucher.id.desc()).limit(limit)))
    valid = [Voucher.account_id == account.id, Voucher.closed_at.is_(None), Voucher.remaining_cents > 0]
    outstanding, count = db.session.execute(
        select(func.coalesce(func.sum(Voucher.remaining_cents), 0), func.count()).where(
            *valid, or_(Voucher.expires_on.is_(None), Voucher.expires_on >= today)
        )
    ).one()
    expired = db.session.scalar(
        select(func.coalesce(func.sum(Voucher.remaining_cents), 0)).where(*valid, Voucher.expires_on < today)
    )
    return Overview(vouchers, outstanding, count, expired)


# The voucher pages, the customer file's voucher tab, the till and the erasure blockers.
TEMPLATE_HELPERS = {"voucher_state": state, "voucher_code": display_code}
