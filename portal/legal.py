"""Legal facts the code relies on, in one place, each with its source.

Not legal advice: the periods are configurable data so that a change in the law is a change
here, not in the code that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# § 38 Abs. 1 BDSG: a data protection officer is required where as a rule at least
# 20 persons are constantly engaged in the automated processing of personal data.
DPO_REQUIRED_FROM_PERSONS = 20

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
    RetentionPeriod("accounting_vouchers", _l("Invoices and receipts (accounting vouchers)"), 8,
                    "§ 147 Abs. 1 Nr. 4, Abs. 3 AO; § 257 Abs. 1 Nr. 4, Abs. 4 HGB"),
    RetentionPeriod("books", _l("Books, inventories, annual accounts"), 10,
                    "§ 147 Abs. 1 Nr. 1, Abs. 3 AO; § 257 Abs. 1 Nr. 1, Abs. 4 HGB"),
    RetentionPeriod("business_letters", _l("Business letters received and sent"), 6,
                    "§ 147 Abs. 1 Nr. 2, 3, Abs. 3 AO; § 257 Abs. 1 Nr. 2, 3, Abs. 4 HGB"),
)
