"""Checkout (Kasse): an appointment or a walk-in becomes an invoice, paid by cash, card or
voucher; a mistake is corrected by a cancellation invoice (Storno), never by an edit (GoBD).

Each checkout is one transaction: the appointment is attended, the invoice numbered without
gaps, vouchers redeemed or sold, stamps added, the customer's activity refreshed and the
history written — all of it, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, func, select, update

from portal import activity
from portal.audit import Actor, record
from portal.bonus import service as bonus
from portal.checkout.numbering import next_invoice_number
from portal.extensions import db
from portal.legal import SMALL_INVOICE_LIMIT_CENTS, VAT_BY_PERMILLE, VOUCHER_SALE_VAT_PERMILLE
from portal.models import (
    Account,
    Appointment,
    AppointmentStatus,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoicePayment,
    LineKind,
    Location,
    PaymentMethod,
    Service,
    StampCard,
    Voucher,
)
from portal.models.base import utcnow
from portal.transaction import lock_for_writing, transaction
from portal.vouchers import service as vouchers

MAX_QUANTITY = 99
MAX_PRICE_CENTS = 1_000_000  # 10,000 € a line: anything above is a typing error
MAX_LINES = 30


class CheckoutError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class LineInput:
    kind: str  # service, product or voucher
    quantity: int = 1
    service_id: int | None = None
    description: str = ""
    unit_price_cents: int | None = None  # None: the service's catalogue price
    vat_rate_permille: int = 190


@dataclass
class CheckoutInput:
    location_id: int
    key: str  # the form's own id: a form sent twice makes one invoice
    lines: list[LineInput]
    customer_id: int | None = None
    appointment_id: int | None = None
    discount_percent: int = 0
    voucher_code: str = ""
    voucher_cents: int | None = None  # None: as much of the voucher as the invoice takes
    method: str = PaymentMethod.CASH  # pays what the voucher does not
    reward_card_ids: list[int] = field(default_factory=list)


def _owned(model, obj_id, account_id: int, code: str):
    obj = db.session.get(model, obj_id) if obj_id else None
    if obj is None or obj.account_id != account_id:
        raise CheckoutError(code)
    return obj


def _address(street: str, postal_code: str, city: str) -> str:
    return "\n".join(part for part in (street, f"{postal_code} {city}".strip()) if part)


def _line(account_id: int, data: LineInput) -> InvoiceLine:
    if data.kind not in (LineKind.SERVICE, LineKind.PRODUCT, LineKind.VOUCHER):
        raise CheckoutError("line-kind")
    if not 1 <= data.quantity <= MAX_QUANTITY:
        raise CheckoutError("quantity")
    line = InvoiceLine(account_id=account_id, kind=data.kind, quantity=data.quantity)
    if data.kind == LineKind.SERVICE:
        service = _owned(Service, data.service_id, account_id, "unknown-service")
        line.service_id, line.description = service.id, service.name
        price = service.price_cents if data.unit_price_cents is None else data.unit_price_cents
        line.vat_rate_permille = service.vat_rate_permille if data.unit_price_cents is None else data.vat_rate_permille
    elif data.kind == LineKind.PRODUCT:
        if not data.description.strip():
            raise CheckoutError("description")
        line.description, price = data.description.strip()[:200], data.unit_price_cents
        line.vat_rate_permille = data.vat_rate_permille
    else:
        if data.quantity != 1:
            raise CheckoutError("quantity")
        price, line.vat_rate_permille = data.unit_price_cents, VOUCHER_SALE_VAT_PERMILLE
        if price is None or not vouchers.MIN_VALUE_CENTS <= price <= vouchers.MAX_VALUE_CENTS:
            raise CheckoutError("voucher-value")
    if price is None or not 0 <= price <= MAX_PRICE_CENTS:
        raise CheckoutError("price")
    if data.kind != LineKind.VOUCHER and line.vat_rate_permille not in VAT_BY_PERMILLE:
        raise CheckoutError("vat-rate")
    line.unit_price_cents = price
    return line


def _discount_lines(account_id: int, lines: list[InvoiceLine], percent: int) -> list[InvoiceLine]:
    """A discount on services and products, one line per VAT rate (§ 14 Abs. 4 Nr. 7 UStG:
    the reduction by rate), rounded to the cent."""
    if not 0 <= percent <= 100:
        raise CheckoutError("discount")
    if not percent:
        return []
    by_rate: dict[int, int] = {}
    for line in lines:
        if line.kind in (LineKind.SERVICE, LineKind.PRODUCT):
            by_rate[line.vat_rate_permille] = by_rate.get(line.vat_rate_permille, 0) + line.total_cents
    return [
        InvoiceLine(
            account_id=account_id,
            kind=LineKind.DISCOUNT,
            quantity=1,
            unit_price_cents=-round(gross * percent / 100),
            vat_rate_permille=rate,
            description=f"Rabatt {percent} %",
        )
        for rate, gross in sorted(by_rate.items(), reverse=True)
        if gross
    ]


@transaction
def checkout(actor: Actor, data: CheckoutInput, at: datetime | None = None) -> Invoice:
    """Finish a sale. Returns the invoice; the same one again for a form sent twice."""
    account = db.session.get(Account, actor.account_id)
    lock_for_writing()  # before the reads that decide: two tills queue here
    existing = db.session.scalars(
        select(Invoice).where(Invoice.account_id == account.id, Invoice.checkout_key == data.key)
    ).one_or_none()
    if existing is not None:
        return existing
    now = at or utcnow()
    today = account.local_date(now)
    location = _owned(Location, data.location_id, account.id, "unknown-location")
    appointment = (
        _owned(Appointment, data.appointment_id, account.id, "unknown-appointment") if data.appointment_id else None
    )
    customer_id = appointment.customer_id if appointment else data.customer_id
    customer = _owned(Customer, customer_id, account.id, "unknown-customer") if customer_id else None
    if appointment is not None:
        if appointment.status != AppointmentStatus.BOOKED:
            raise CheckoutError("not-booked")
        if account.local_date(appointment.starts_at) > today:
            raise CheckoutError("future-appointment")
    if not data.lines or len(data.lines) > MAX_LINES:
        raise CheckoutError("no-lines")
    lines = [_line(account.id, line) for line in data.lines]
    lines += _discount_lines(account.id, lines, data.discount_percent)
    total = sum(line.total_cents for line in lines)
    if total < 0:
        raise CheckoutError("negative-total")
    if total > SMALL_INVOICE_LIMIT_CENTS:  # § 14 Abs. 4 UStG instead of § 33 UStDV
        if customer is None or not (customer.street and customer.postal_code and customer.city):
            raise CheckoutError("buyer-address")
        if not location.tax_id:
            raise CheckoutError("tax-id")

    if appointment is not None:
        _leave_booked(appointment, AppointmentStatus.ATTENDED)
    invoice = Invoice(
        account_id=account.id,
        location_id=location.id,
        customer_id=customer.id if customer else None,
        appointment_id=appointment.id if appointment else None,
        kind=InvoiceKind.INVOICE,
        number=next_invoice_number(account.id),
        issued_at=now,
        service_date=account.local_date(appointment.starts_at) if appointment else today,
        status="paid",
        total_cents=total,
        checkout_key=data.key[:40],
        seller_name=account.name if account.name == location.name else f"{account.name} – {location.name}",
        seller_address=_address(location.street, location.postal_code, location.city),
        seller_tax_id=location.tax_id,
        billed_name=customer.full_name if customer else "",
        billed_address=_address(customer.street, customer.postal_code, customer.city) if customer else "",
    )
    db.session.add(invoice)
    db.session.flush()
    for card_id in data.reward_card_ids:
        card = _owned(StampCard, card_id, account.id, "unknown-card")
        try:
            lines.append(bonus.redeem_reward(card, invoice))
        except bonus.BonusError as error:
            raise CheckoutError("unknown-card") from error
    _sell_vouchers(actor, invoice, lines)  # before the lines are stored: they name the codes
    invoice.lines = lines
    _pay(actor, invoice, data, total, today)
    stamps = bonus.add_stamps(invoice, lines)
    activity.refresh([invoice.customer_id])
    changes = {"number": {"old": None, "new": invoice.number}, "total": {"old": None, "new": total}}
    if stamps:
        changes["stamps"] = {"old": None, "new": stamps}
    record(
        actor,
        "sale",
        "checked_out",
        "invoice",
        invoice.id,
        changes,
        customer_id=invoice.customer_id,
        summary=invoice.billed_name or invoice.number,
    )
    if appointment is not None:
        record(
            actor,
            "appointment",
            "attended",
            "appointment",
            appointment.id,
            {
                "status": {"old": AppointmentStatus.BOOKED.value, "new": AppointmentStatus.ATTENDED.value},
                "invoice": {"old": None, "new": invoice.number},
            },
            customer_id=invoice.customer_id,
            summary=invoice.billed_name,
        )
    return invoice


def _pay(actor: Actor, invoice: Invoice, data: CheckoutInput, total: int, today) -> None:
    voucher_part = 0
    if data.voucher_code.strip():
        voucher = vouchers.find_by_code(invoice.account_id, data.voucher_code)
        if voucher is None:
            raise CheckoutError("unknown-voucher")
        # A voucher does not buy another voucher (that would turn it into cash).
        payable = total - sum(line.total_cents for line in invoice.lines if line.kind == LineKind.VOUCHER)
        try:
            vouchers.redeemable(voucher, today)
        except vouchers.VoucherError as error:
            raise CheckoutError(f"voucher-{error.code}") from error
        if data.voucher_cents is None:
            voucher_part = min(voucher.remaining_cents, payable)
        else:
            voucher_part = data.voucher_cents
            if voucher_part > voucher.remaining_cents:
                raise CheckoutError("voucher-over-remaining", remaining=voucher.remaining_cents)
            if voucher_part > payable or voucher_part <= 0:
                raise CheckoutError("voucher-over-total", payable=payable)
        if voucher_part > 0:
            try:
                vouchers.redeem(actor, voucher, voucher_part, invoice, today)
            except vouchers.VoucherError as error:
                raise CheckoutError("voucher-over-remaining", remaining=voucher.remaining_cents) from error
            invoice.payments.append(
                InvoicePayment(
                    account_id=invoice.account_id,
                    method=PaymentMethod.VOUCHER,
                    amount_cents=voucher_part,
                    voucher_id=voucher.id,
                )
            )
    rest = total - voucher_part
    if rest > 0:
        if data.method not in (PaymentMethod.CASH, PaymentMethod.CARD):
            raise CheckoutError("method")
        invoice.payments.append(InvoicePayment(account_id=invoice.account_id, method=data.method, amount_cents=rest))


def _sell_vouchers(actor: Actor, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    for line in lines:
        if line.kind == LineKind.VOUCHER:
            voucher = vouchers.issue(actor, line.unit_price_cents, None, invoice.customer_id, sold_by=invoice)
            line.description = f"Gutschein {vouchers.display_code(voucher.code)}"


@transaction
def cancel_invoice(actor: Actor, invoice: Invoice, reason: str, at: datetime | None = None) -> Invoice:
    """Storno: a cancellation invoice with its own number reverses every line and payment; the
    original stays as it was, marked cancelled. Vouchers it redeemed get their value back,
    vouchers it sold become void (refused once used), its stamps and reward go back, and a
    visit it billed is open again for checkout ("Noch abzurechnen")."""
    if not reason.strip():
        raise CheckoutError("reason")
    if invoice.kind != InvoiceKind.INVOICE:
        raise CheckoutError("not-an-invoice")
    lock_for_writing()
    cancelled = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "paid")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled != 1:
        raise CheckoutError("already-cancelled")
    db.session.expire(invoice, ["status"])
    now = at or utcnow()
    storno = Invoice(
        account_id=invoice.account_id,
        location_id=invoice.location_id,
        customer_id=invoice.customer_id,
        appointment_id=invoice.appointment_id,
        kind=InvoiceKind.CANCELLATION,
        cancels_invoice_id=invoice.id,
        number=next_invoice_number(invoice.account_id),
        issued_at=now,
        service_date=invoice.service_date,
        status="paid",
        total_cents=-invoice.total_cents,
        seller_name=invoice.seller_name,
        seller_address=invoice.seller_address,
        seller_tax_id=invoice.seller_tax_id,
        billed_name=invoice.billed_name,
        billed_address=invoice.billed_address,
        cancel_reason=reason.strip()[:300],
    )
    storno.lines = [
        InvoiceLine(
            account_id=line.account_id,
            kind=line.kind,
            service_id=line.service_id,
            description=line.description,
            quantity=line.quantity,
            unit_price_cents=-line.unit_price_cents,
            vat_rate_permille=line.vat_rate_permille,
        )
        for line in invoice.lines
    ]
    storno.payments = [
        InvoicePayment(account_id=p.account_id, method=p.method, amount_cents=-p.amount_cents, voucher_id=p.voucher_id)
        for p in invoice.payments
    ]
    db.session.add(storno)
    db.session.flush()
    try:
        vouchers.void_sold(actor, invoice, storno)
        for payment in invoice.payments:
            if payment.voucher_id:
                vouchers.refund(actor, db.session.get(Voucher, payment.voucher_id), payment.amount_cents, storno)
    except vouchers.VoucherError as error:
        raise CheckoutError(error.code) from error
    bonus.reverse(invoice)
    if invoice.appointment_id:
        db.session.execute(
            update(Appointment)
            .where(Appointment.id == invoice.appointment_id, Appointment.status == AppointmentStatus.ATTENDED)
            .values(status=AppointmentStatus.BOOKED)
            .execution_options(synchronize_session=False)
        )
        record(
            actor,
            "appointment",
            "checkout_cancelled",
            "appointment",
            invoice.appointment_id,
            {
                "status": {"old": AppointmentStatus.ATTENDED.value, "new": AppointmentStatus.BOOKED.value},
                "invoice": {"old": invoice.number, "new": storno.number},
            },
            customer_id=invoice.customer_id,
            summary=invoice.billed_name,
        )
    activity.refresh([invoice.customer_id])
    record(
        actor,
        "sale",
        "invoice_cancelled",
        "invoice",
        invoice.id,
        {"number": {"old": invoice.number, "new": storno.number}, "reason": {"old": None, "new": reason.strip()}},
        customer_id=invoice.customer_id,
        summary=invoice.billed_name or invoice.number,
    )
    return storno


def _leave_booked(appointment: Appointment, status: AppointmentStatus) -> None:
    """Booked → attended or no-show, conditionally: a form sent twice, or at two tills, changes
    the visit once and the second sees "not booked"."""
    changed = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == AppointmentStatus.BOOKED)
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise CheckoutError("not-booked")
    db.session.expire(appointment, ["status"])


@transaction
def mark_no_show(actor: Actor, appointment: Appointment, at: datetime | None = None) -> None:
    """The customer did not come: no visit, no activity; an appointment-log entry."""
    now = at or utcnow()
    if appointment.starts_at > now:
        raise CheckoutError("not-yet")
    _leave_booked(appointment, AppointmentStatus.NO_SHOW)
    activity.refresh([appointment.customer_id])
    customer = appointment.customer_id and db.session.get(Customer, appointment.customer_id)
    record(
        actor,
        "appointment",
        "no_show",
        "appointment",
        appointment.id,
        {"status": {"old": AppointmentStatus.BOOKED.value, "new": AppointmentStatus.NO_SHOW.value}},
        customer_id=appointment.customer_id,
        summary=customer.full_name if customer else "",
    )


def unbilled(account: Account, limit: int = 50) -> tuple[int, list]:
    """Noch abzurechnen: past appointments still booked after their day ended (local)."""
    midnight = datetime.combine(account.today(), datetime.min.time(), tzinfo=ZoneInfo(account.timezone)).astimezone(UTC)
    values = {"account_id": account.id, "midnight": midnight, "limit": limit}
    return db.session.execute(_UNBILLED_COUNT, values).scalar(), db.session.execute(_UNBILLED, values).all()


# Built once (the overview asks on every visit), bound per salon and day.
_UNBILLED_WHERE = (
    Appointment.account_id == bindparam("account_id"),
    Appointment.status == AppointmentStatus.BOOKED,
    Appointment.starts_at < bindparam("midnight"),
)
_UNBILLED_COUNT = select(func.count()).select_from(Appointment).where(*_UNBILLED_WHERE)
_UNBILLED = (
    select(Appointment, Customer.first_name, Customer.last_name)
    .outerjoin(Customer, Customer.id == Appointment.customer_id)
    .where(*_UNBILLED_WHERE)
    .order_by(Appointment.starts_at.desc())
    .limit(bindparam("limit", type_=Integer))
)


def catalogue(account_id: int) -> tuple[list[Location], list[Service]]:
    """What a checkout form offers: the salon's locations and its service catalogue."""
    locations = list(
        db.session.scalars(select(Location).where(Location.account_id == account_id).order_by(Location.id))
    )
    services = list(db.session.scalars(select(Service).where(Service.account_id == account_id).order_by(Service.name)))
    return locations, services


def prefill(form, appointment: Appointment | None) -> None:
    """An appointment's checkout starts with its service at the catalogue price."""
    if appointment is None:
        return
    form.location_id.data = appointment.location_id
    if appointment.service_id:
        first = form.lines[0].form
        first.kind.data, first.service_id.data = LineKind.SERVICE.value, appointment.service_id
        first.vat_rate.data = appointment.service.vat_rate_permille


def invoice_context(invoice: Invoice) -> dict:
    """What the printed invoice shows besides its own rows."""
    from portal.checkout.reports import vat_breakdown

    related = db.session.scalars(
        select(Invoice).where((Invoice.cancels_invoice_id == invoice.id) | (Invoice.id == invoice.cancels_invoice_id))
    ).first()
    return {
        "vat_rows": vat_breakdown(invoice),
        "related": related,
        "small_invoice": abs(invoice.total_cents) <= SMALL_INVOICE_LIMIT_CENTS,
    }


def invoice_of(appointment: Appointment) -> Invoice | None:
    """The invoice that billed the visit (not a cancelled one)."""
    return db.session.scalars(
        select(Invoice).where(
            Invoice.appointment_id == appointment.id, Invoice.kind == InvoiceKind.INVOICE, Invoice.status != "cancelled"
        )
    ).first()
