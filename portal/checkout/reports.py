"""What the accountant reads: the VAT breakdown of an invoice, the invoice list and the cash
book per day (cash, card, voucher; payouts of vouchers leave the till in cash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.legal import VOUCHER_SALE_VAT_PERMILLE
from portal.models import Account, Invoice, InvoicePayment, Voucher, VoucherEntry, VoucherEntryKind
from portal.requests.deadlines import add_months


@dataclass
class VatRow:
    rate_permille: int
    gross_cents: int
    net_cents: int
    vat_cents: int


def vat_breakdown(invoice: Invoice) -> list[VatRow]:
    """Net, VAT and gross per rate from the gross line prices (§ 14 Abs. 4 Nr. 7, 8 UStG)."""
    gross: dict[int, int] = {}
    for line in invoice.lines:
        gross[line.vat_rate_permille] = gross.get(line.vat_rate_permille, 0) + line.total_cents
    rows = []
    for rate, amount in sorted(gross.items(), reverse=True):
        net = amount if rate == VOUCHER_SALE_VAT_PERMILLE else round(amount * 1000 / (1000 + rate))
        rows.append(VatRow(rate, amount, net, amount - net))
    return rows


def month_bounds(account: Account, month: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(account.timezone)
    first = month.replace(day=1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(add_months(first, 1), datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return start, end


def month_links(month: date) -> dict[str, str]:
    return {"previous": add_months(month, -1).strftime("%Y-%m"), "next": add_months(month, 1).strftime("%Y-%m")}


def invoices_of_month(account: Account, month: date) -> list[Invoice]:
    start, end = month_bounds(account, month)
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.account_id == account.id, Invoice.issued_at >= start, Invoice.issued_at < end)
            .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        )
    )


@dataclass
class CashDay:
    day: date
    cash: int = 0
    card: int = 0
    voucher: int = 0
    payouts: int = 0  # vouchers paid out in cash (negative: money leaving the till)
    invoices: int = 0

    @property
    def cash_in_till(self) -> int:
        return self.cash + self.payouts


@dataclass
class CashBook:
    month: date
    days: list[CashDay] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)


def cash_book(account: Account, month: date) -> CashBook:
    """One row per local day with takings by payment method; cancellations count negative on
    the day they were made, as the till saw them."""
    start, end = month_bounds(account, month)
    zone = ZoneInfo(account.timezone)
    days: dict[date, CashDay] = {}

    def day_of(moment: datetime) -> CashDay:
        local = moment.astimezone(zone).date()
        return days.setdefault(local, CashDay(local))

    payments = db.session.execute(
        select(Invoice.id, Invoice.issued_at, InvoicePayment.method, InvoicePayment.amount_cents)
        .join(InvoicePayment, InvoicePayment.invoice_id == Invoice.id)
        .where(Invoice.account_id == account.id, Invoice.issued_at >= start, Invoice.issued_at < end)
    )
    counted = set()
    for invoice_id, issued_at, method, amount in payments:
        row = day_of(issued_at)
        setattr(row, method, getattr(row, method) + amount)
        if invoice_id not in counted:
            counted.add(invoice_id)
            row.invoices += 1
    payouts = db.session.execute(
        select(VoucherEntry.occurred_at, VoucherEntry.amount_cents)
        .join(Voucher, Voucher.id == VoucherEntry.voucher_id)
        .where(
            Voucher.account_id == account.id,
            VoucherEntry.kind == VoucherEntryKind.PAID_OUT,
            VoucherEntry.occurred_at >= start,
            VoucherEntry.occurred_at < end,
        )
    )
    for occurred_at, amount in payouts:
        day_of(occurred_at).payouts += amount
    return CashBook(month.replace(day=1), [days[d] for d in sorted(days)])
