"""Legal facts the code relies on, in one place, each with its source.

Not legal advice: the periods are configurable data so that a change in the law is a change
here, not in the code that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

# § 38 Abs. 1 BDSG: a data protection officer is required where as a rule at least
# 20 persons are constantly engaged in the automated processing of personal data.
DPO_REQUIRED_FROM_PERSONS = 20

# Art. 33(1) GDPR: a breach is notified to the supervisory authority without undue delay and,
# where feasible, not later than 72 hours after having become aware of it; later, with the
# reasons for the delay.
BREACH_NOTIFICATION_HOURS = 72

# Offered choices for automatic forgetting (months of inactivity), off by default.
RETENTION_MONTH_CHOICES = (24, 36, 48, 60, 72, 84, 96, 108, 120)
# Marketing reaches only customers active within this window (months); the seed's three years.
DEFAULT_MARKETING_WINDOW_MONTHS = 36


@dataclass(frozen=True)
class RetentionPeriod:
    key: str
    label: object
    years: int
    source: str


# German retention duties, counted from the end of the calendar year (§ 147 Abs. 4 AO,
# § 257 Abs. 5 HGB). Accounting vouchers: 8 years since the Viertes
# Bürokratieentlastungsgesetz (from 1 January 2025; previously 10).
RETENTION_PERIODS = (
    RetentionPeriod(
        "accounting_vouchers",
        _l("Invoices and receipts (accounting vouchers)"),
        8,
        "§ 147 Abs. 1 Nr. 4, Abs. 3 AO; § 257 Abs. 1 Nr. 4, Abs. 4 HGB",
    ),
    RetentionPeriod(
        "books",
        _l("Books, inventories, annual accounts"),
        10,
        "§ 147 Abs. 1 Nr. 1, Abs. 3 AO; § 257 Abs. 1 Nr. 1, Abs. 4 HGB",
    ),
    RetentionPeriod(
        "business_letters",
        _l("Business letters received and sent"),
        6,
        "§ 147 Abs. 1 Nr. 2, 3, Abs. 3 AO; § 257 Abs. 1 Nr. 2, 3, Abs. 4 HGB",
    ),
)


def retention_end(local_year: int, key: str = "accounting_vouchers") -> date:
    """The last day a record of that (local) calendar year must be kept: the period counts
    from the end of the calendar year (§ 147 Abs. 4 AO, § 257 Abs. 5 HGB)."""
    years = next(p.years for p in RETENTION_PERIODS if p.key == key)
    return date(local_year + years, 12, 31)


# --- Invoices, VAT and vouchers ---------------------------------------------------------------


@dataclass(frozen=True)
class VatRate:
    permille: int
    label: object
    source: str


# § 12 UStG. Hair, cosmetic and fitness services and most products: the standard rate; the
# reduced rate applies to a few goods (e.g. books, some food). Kept as data: a change of the law
# is a change here.
VAT_RATES = (
    VatRate(190, _l("19 % (standard rate)"), "§ 12 Abs. 1 UStG"),
    VatRate(70, _l("7 % (reduced rate)"), "§ 12 Abs. 2 UStG, Anlage 2"),
)
VAT_BY_PERMILLE = {rate.permille: rate for rate in VAT_RATES}
# A multi-purpose voucher (Mehrzweck-Gutschein, § 3 Abs. 15 UStG) is not taxed when sold; the
# service it pays for is, when redeemed.
VOUCHER_SALE_VAT_PERMILLE = 0
VOUCHER_SALE_SOURCE = "§ 3 Abs. 15 UStG (Mehrzweck-Gutschein)"

# § 33 UStDV: an invoice up to 250 € gross (Kleinbetragsrechnung) needs the seller's name and
# address, the date, quantity and kind of the goods or services, the gross amount and the tax
# rate. Above it, § 14 Abs. 4 UStG also requires the seller's tax number or VAT id, the
# customer's name and address, a sequential number and net, tax and rate per rate.
SMALL_INVOICE_LIMIT_CENTS = 25_000

# Voucher claims fall under the regular limitation period of three years (§ 195 BGB), which
# starts at the end of the year of purchase (§ 199 Abs. 1 BGB).
VOUCHER_VALIDITY_YEARS = 3


def voucher_valid_until(purchase_year: int) -> date:
    return date(purchase_year + VOUCHER_VALIDITY_YEARS, 12, 31)
