"""Checkout errors as people read them."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.web.templating import money

MESSAGES = {
    "unknown-location": lambda p: _("Please choose a location."),
    "unknown-appointment": lambda p: _("This appointment does not exist."),
    "unknown-customer": lambda p: _("This customer does not exist."),
    "unknown-service": lambda p: _("Please choose a service from the list."),
    "unknown-card": lambda p: _("This bonus card has no reward to give."),
    "not-booked": lambda p: _("This appointment is already checked out, cancelled or marked as no-show."),
    "future-appointment": lambda p: _("An appointment on a later day cannot be checked out yet."),
    "not-yet": lambda p: _("The appointment has not started yet."),
    "no-lines": lambda p: _("Please add at least one line (a service, a product or a voucher)."),
    "line-kind": lambda p: _("Please choose the kind of each line."),
    "quantity": lambda p: _("Quantities are between 1 and 99; a voucher is sold one at a time."),
    "description": lambda p: _("Please describe each product line."),
    "price": lambda p: _("Please enter a price between 0,00 € and 10.000,00 € for each line."),
    "voucher-value": lambda p: _("A voucher is worth between 1,00 € and 10.000,00 €."),
    "vat-rate": lambda p: _("Please choose a VAT rate from the list."),
    "discount": lambda p: _("The discount is between 0 and 100 %."),
    "negative-total": lambda p: _("The total cannot be below zero."),
    "buyer-address": lambda p: _(
        "An invoice over 250 € must name the customer with their address "
        "(§ 14 Abs. 4 UStG). Please choose a customer and complete their address."
    ),
    "tax-id": lambda p: _(
        "An invoice over 250 € must show the location's tax number or VAT id "
        "(§ 14 Abs. 4 UStG). Please enter it in the location's settings."
    ),
    "unknown-voucher": lambda p: _("No voucher of this salon has this code."),
    "voucher-used-up": lambda p: _("This voucher has no value left."),
    "voucher-expired": lambda p: _("This voucher has expired."),
    "voucher-over-remaining": lambda p: _("The voucher has only %(value)s left.", value=money(p.get("remaining"))),
    "voucher-over-total": lambda p: _(
        "The voucher can pay at most %(value)s of this invoice (not vouchers sold).", value=money(p.get("payable"))
    ),
    "method": lambda p: _("Please choose cash or card for the rest."),
    "reason": lambda p: _("Please give the reason for the cancellation."),
    "not-an-invoice": lambda p: _("A cancellation invoice cannot be cancelled again."),
    "already-cancelled": lambda p: _("This invoice is already cancelled."),
    "sold-voucher-used": lambda p: _("A voucher sold with this invoice has been used; it cannot be cancelled."),
    "over-remaining": lambda p: _("The voucher's value changed meanwhile; please try again."),
    "changed-meanwhile": lambda p: _("The voucher's value changed meanwhile; please try again."),
}


def message(error) -> str:
    return MESSAGES.get(error.code, lambda p: _("The checkout could not be finished."))(
        error.params if hasattr(error, "params") else {}
    )
