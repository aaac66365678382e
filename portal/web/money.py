"""Money typed by people ("49", "49,9", "1.234,50", "49.90") to integer cents, and back."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from portal.web.clean_text import clean_text

GERMAN = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+(,\d{1,2})?$")
POINT = re.compile(r"^\d+(\.\d{1,2})?$")
MAX_CENTS = 100_000_000  # 1 million €: beyond anything a salon types


class InvalidMoney(ValueError):
    pass


def parse_cents(text: str) -> int:
    """Euros as typed (German or with a decimal point; "€" and spaces allowed) to cents."""
    value = (text or "").replace("€", "").replace("\u00a0", "").replace(" ", "")
    if GERMAN.match(value):
        euros, _sep, cents = value.replace(".", "").partition(",")
    elif POINT.match(value):
        euros, _sep, cents = value.partition(".")
    else:
        raise InvalidMoney(text)
    total = int(euros) * 100 + int((cents + "00")[:2])
    if total > MAX_CENTS:
        raise InvalidMoney(text)
    return total


def format_cents(cents: int | None) -> str:
    """Cents as a German input value: 4990 -> "49,90"."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


class MoneyField(StringField):
    """An amount in euros; `.data` is cents (None when left empty)."""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (clean_text(valuelist[0]) if valuelist else "").strip()  # shown again on an error
        if self.raw:
            try:
                self.data = parse_cents(self.raw)
            except InvalidMoney as error:
                raise ValueError(str(_l("Please enter an amount in euros, e.g. 49,90."))) from error

    def _value(self):
        return getattr(self, "raw", None) or format_cents(self.data)
