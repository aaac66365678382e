"""Words people read for the till's and the vouchers' stored keys."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PAYMENT_METHODS = {"cash": _l("Cash"), "card": _l("Card"), "voucher": _l("Voucher")}
VOUCHER_STATES = {
    "all": _l("all"),
    "created": _l("created (not sold)"),
    "sold": _l("sold"),
    "partly_redeemed": _l("partly redeemed"),
    "redeemed": _l("redeemed"),
    "expired": _l("expired"),
    "closed": _l("paid out or voided"),
    "paid_out": _l("paid out"),
    "voided": _l("voided"),
}
VOUCHER_ENTRY_KINDS = {
    "issued": _l("created"),
    "sold": _l("sold"),
    "redeemed": _l("redeemed"),
    "refunded": _l("given back (invoice cancelled)"),
    "paid_out": _l("paid out"),
    "voided": _l("voided"),
}

TEMPLATE_LABELS = {
    "payment_methods": PAYMENT_METHODS,
    "voucher_states": VOUCHER_STATES,
    "voucher_entry_kinds": VOUCHER_ENTRY_KINDS,
}
