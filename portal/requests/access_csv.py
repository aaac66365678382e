"""The access package's CSV tables (Art. 20 GDPR): one per kind of data, the cells as in
data.json (ISO dates, amounts in cents: machine-readable), the headers in words."""

from __future__ import annotations

from operator import itemgetter

from flask_babel import lazy_gettext as _l

from portal.csv_safe import to_csv
from portal.history.display import FIELD_LABELS
from portal.web.words import force_locale, word

INVOICE_COLUMNS = ("number", "kind", "issued_at", "service_date", "status", "total_cents", "billed_name", "cancels")
CARD_COLUMNS = ("program", "stamps", "stamps_required", "started_at", "completed_at", "redeemed_at")

HEADERS = {
    "id": _l("Number"),
    "label": _l("Field"),
    "value": _l("Value"),
    "description": _l("Description"),
    "quantity": _l("Quantity"),
    "unit_price_cents": _l("Unit price (cent)"),
    "vat_rate_permille": _l("VAT rate (per mille)"),
    "method": _l("Method"),
    "amount_cents": _l("Amount (cent)"),
    "kind": _l("Kind"),
    "issued_at": _l("Issued"),
    "service_date": _l("Date of service"),
    "total_cents": _l("Total (cent)"),
    "billed_name": _l("Billed to"),
    "cancels": _l("Cancels invoice"),
    "code": _l("Code"),
    "initial_cents": _l("Initial value (cent)"),
    "remaining_cents": _l("Remaining value (cent)"),
    "expires_on": _l("Valid until"),
    "voucher": _l("Voucher"),
    "occurred_at": _l("When"),
    "started_at": _l("Started"),
    "completed_at": _l("Completed"),
    "redeemed_at": _l("Redeemed"),
    "updated_at": _l("Changed"),
    "text_version": _l("Text version"),
    "category": _l("Area"),
    "action": _l("Action"),
    "fields": _l("Fields"),
    "channel": _l("Channel"),
}


def header(key: str) -> str:
    return word(HEADERS.get(key) or FIELD_LABELS.get(key) or key)


def csv_tables(data: dict, locale: str) -> dict[str, bytes]:
    """The package's tables; the headers in the customer's language, the cells as in data.json."""
    with force_locale(locale):
        return {name: to_csv([header(key) for key in keys], rows) for name, (keys, rows) in _tables(data).items()}


def _columns(records: list[dict], *keys: str) -> tuple:
    """A table of some of the records' fields, the rows picked by C (thousands per package)."""
    return keys, list(map(itemgetter(*keys), records))


def _tables(data: dict) -> dict[str, tuple]:
    subject = data["subject"]
    return {
        "customer.csv": (list(subject), [list(subject.values())]),
        "custom_fields.csv": _columns(data["custom_fields"], "label", "value"),
        "appointments.csv": _columns(
            data["appointments"], "starts_at", "ends_at", "status", "location", "service", "employee", "notes"
        ),
        "invoices.csv": _columns(data["invoices"], *INVOICE_COLUMNS),
        "invoice_payments.csv": (
            ["invoice", "method", "amount_cents"],
            [[i["number"], p["method"], p["amount_cents"]] for i in data["invoices"] for p in i["payments"]],
        ),
        "invoice_lines.csv": (
            ["invoice", "description", "quantity", "unit_price_cents", "vat_rate_permille"],
            [
                [i["number"], li["description"], li["quantity"], li["unit_price_cents"], li["vat_rate_permille"]]
                for i in data["invoices"]
                for li in i["lines"]
            ],
        ),
        "vouchers.csv": _columns(
            data["vouchers"], "code", "issued_at", "initial_cents", "remaining_cents", "expires_on"
        ),
        "voucher_entries.csv": (
            ["voucher", "occurred_at", "kind", "amount_cents", "invoice"],
            [
                [v["code"], e["occurred_at"], e["kind"], e["amount_cents"], e["invoice"]]
                for v in data["vouchers"]
                for e in v["entries"]
            ],
        ),
        "stamp_cards.csv": _columns(data["stamp_cards"], *CARD_COLUMNS),
        "stamps.csv": (
            ["program", "occurred_at", "stamps", "invoice"],
            [
                [s["program"], e["occurred_at"], e["stamps"], e["invoice"]]
                for s in data["stamp_cards"]
                for e in s["entries"]
            ],
        ),
        "consents.csv": _columns(data["consents"], "channel", "status", "updated_at"),
        "consent_log.csv": _columns(data["consent_log"], "occurred_at", "channel", "status", "method", "text_version"),
        "change_history.csv": (
            ["occurred_at", "category", "action", "fields"],
            [[h["occurred_at"], h["category"], h["action"], " ".join(h["fields"])] for h in data["change_history"]],
        ),
    }
