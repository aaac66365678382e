"""The checkout form: lines (service from the catalogue, product, voucher), discount, payment."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.checkout.service import CheckoutInput, LineInput
from portal.legal import VAT_RATES
from portal.models import LineKind, PaymentMethod
from portal.web.forms import PortalForm, PortalSubform
from portal.web.money import MoneyField

LINE_KINDS = [
    (LineKind.SERVICE.value, _l("Service")),
    (LineKind.PRODUCT.value, _l("Product")),
    (LineKind.VOUCHER.value, _l("Voucher (sold)")),
]
PAYMENT_METHODS = [(PaymentMethod.CASH.value, _l("Cash")), (PaymentMethod.CARD.value, _l("Card"))]
START_LINES = 3


class LineForm(PortalSubform):
    kind = SelectField(_l("Kind"), choices=LINE_KINDS, default=LineKind.SERVICE.value)
    service_id = SelectField(_l("Service"), coerce=int, default=0, validate_choice=False)
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[Optional(), NumberRange(1, 99, message=_l("Between 1 and 99."))]
    )
    price = MoneyField(_l("Price (€)"))
    vat_rate = SelectField(
        _l("VAT"), coerce=int, default=190, choices=[(rate.permille, rate.label) for rate in VAT_RATES]
    )

    def is_blank(self) -> bool:
        if self.kind.data == LineKind.SERVICE:
            return not self.service_id.data
        return not (self.description.data or "").strip() and self.price.data is None

    def to_input(self) -> LineInput:
        return LineInput(
            kind=self.kind.data,
            quantity=self.quantity.data or 1,
            service_id=self.service_id.data or None,
            description=self.description.data or "",
            unit_price_cents=self.price.data,
            vat_rate_permille=self.vat_rate.data,
        )


class CheckoutForm(PortalForm):
    key = HiddenField()
    location_id = SelectField(_l("Location"), coerce=int, validators=[DataRequired(_l("Please choose a location."))])
    lines = FieldList(FormField(LineForm), min_entries=START_LINES, max_entries=30)
    discount_percent = IntegerField(
        _l("Discount (%)"), default=0, validators=[Optional(), NumberRange(0, 100, message=_l("Between 0 and 100 %."))]
    )
    voucher_code = StringField(_l("Voucher code"), validators=[Optional(), Length(max=40)])
    voucher_amount = MoneyField(_l("Amount from the voucher (€)"))
    method = RadioField(_l("The rest is paid by"), choices=PAYMENT_METHODS, default=PaymentMethod.CASH.value)
    reward_card_ids = SelectMultipleField(_l("Rewards"), coerce=int, validate_choice=False)

    def set_choices(self, locations, services) -> None:
        self.location_id.choices = [(loc.id, loc.name) for loc in locations]
        options = [(0, "—")] + [(s.id, f"{s.name} · {s.price_cents / 100:.2f} €".replace(".", ",")) for s in services]
        for entry in self.lines:
            entry.form.service_id.choices = options
        if not self.key.data:
            self.key.data = secrets.token_urlsafe(18)

    def to_input(self, customer_id: int | None, appointment_id: int | None) -> CheckoutInput:
        return CheckoutInput(
            location_id=self.location_id.data,
            key=self.key.data or secrets.token_urlsafe(18),
            lines=[entry.form.to_input() for entry in self.lines if not entry.form.is_blank()],
            customer_id=customer_id,
            appointment_id=appointment_id,
            discount_percent=self.discount_percent.data or 0,
            voucher_code=self.voucher_code.data or "",
            voucher_cents=self.voucher_amount.data,
            method=self.method.data,
            reward_card_ids=list(self.reward_card_ids.data or []),
        )


class CancelInvoiceForm(PortalForm):
    reason = StringField(
        _l("Reason for the cancellation"),
        validators=[
            DataRequired(_l("Please give the reason; it is printed on the cancellation invoice.")),
            Length(max=300),
        ],
    )
    confirm = BooleanField(
        _l("Yes, cancel this invoice with a cancellation invoice."),
        validators=[DataRequired(_l("Please confirm the cancellation."))],
    )


class NoShowForm(PortalForm):
    """CSRF and the PIN only."""
