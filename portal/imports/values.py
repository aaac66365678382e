"""One row of the file as a customer: every value cleaned and checked by the rules of the
customer form (the same lengths, email and phone checks, postal codes, birthdays), dates as
Germans and Excel write them, yes/no as people write it. Problems are codes with the column,
never the cell's content (the row report is kept for a week and must not hold personal data)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email

from portal.customers.forms import COUNTRIES
from portal.imports.mapping import IGNORE, normalise_header
from portal.models import CustomerFieldDefinition
from portal.validation import InvalidPhone, normalize_email, normalize_phone
from portal.web.clean_text import clean_text

# The customer form's limits.
LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "street": 200,
    "city": 100,
    "notes": 5000,
    "legacy_number": 40,
}
POSTAL_CODE = re.compile(r"^[0-9A-Za-z \-]{3,10}$")
MULTILINE = {"notes"}

YES = frozenset({"ja", "j", "yes", "y", "1", "x", "true", "wahr", "ok", "✓", "✔"})
NO = frozenset({"nein", "n", "no", "0", "false", "falsch", "-", ""})

_COUNTRY_NAMES = {
    "DE": "de d ger deu deutschland germany",
    "AT": "at a aut osterreich oesterreich austria",
    "CH": "ch che schweiz switzerland suisse svizzera",
    "NL": "nl nld niederlande nederland netherlands holland",
    "PL": "pl pol polen polska poland",
    "FR": "fr fra frankreich france",
    "IT": "it ita italien italia italy",
}
COUNTRY_CODES = {word: code for code, words in _COUNTRY_NAMES.items() for word in words.split()}
assert set(_COUNTRY_NAMES) == {code for code, _name in COUNTRIES}

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.0+)?$")


class BadValue(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def parse_date(text: str, today: date) -> date:
    """TT.MM.JJJJ (and T.M.JJ), JJJJ-MM-TT (with a time after it) or an Excel serial number.
    A two-digit year is the latest such year not after today's."""
    if match := _GERMAN_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if 2000 + year <= today.year else 1900
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif _SERIAL.match(text):
        serial = int(float(text))
        if not 1 <= serial <= 2958465:
            raise BadValue("date-format")
        return EXCEL_EPOCH + timedelta(days=serial)
    else:
        raise BadValue("date-format")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadValue("invalid-date") from exc


def parse_yes_no(text: str) -> bool:
    word = text.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadValue("yes-no")


def split_full_name(text: str) -> tuple[str, str]:
    """(last, first) of "Sommer, Greta" or "Greta Sommer"."""
    if "," in text:
        last, first = text.split(",", 1)
        return last.strip(), first.strip()
    parts = text.split()
    return parts[-1], " ".join(parts[:-1])


@dataclass
class Row:
    """A checked row: only the values the file has (an update never blanks a field)."""

    number: int
    data: dict = field(default_factory=dict)  # standard customer fields
    custom: dict[int, str] = field(default_factory=dict)
    consents: dict[str, bool] = field(default_factory=dict)  # channel -> the file says yes
    consent_date: date | None = None
    last_visit: date | None = None
    legacy_number: str = ""
    issues: list[tuple[str, str, dict]] = field(default_factory=list)  # (column, code, params)

    def as_record(self) -> list:
        """JSON-safe, for the checked rows kept until the import runs."""
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.data.items()}
        return [
            self.number,
            data,
            {str(k): v for k, v in self.custom.items()},
            self.consents,
            self.consent_date.isoformat() if self.consent_date else None,
            self.last_visit.isoformat() if self.last_visit else None,
            self.legacy_number,
        ]

    @classmethod
    def from_record(cls, record: list) -> Row:
        number, data, custom, consents, consent_date, last_visit, legacy_number = record
        if data.get("birthday"):
            data["birthday"] = date.fromisoformat(data["birthday"])
        return cls(
            number,
            data,
            {int(k): v for k, v in custom.items()},
            consents,
            date.fromisoformat(consent_date) if consent_date else None,
            date.fromisoformat(last_visit) if last_visit else None,
            legacy_number,
        )


class RowReader:
    """Turns the cells of a row into a `Row`, with the mapping and the salon's fields bound once."""

    def __init__(self, headers: list[str], mapping: list[str], definitions: list[CustomerFieldDefinition], today):
        self.columns = [(i, headers[i] or f"#{i + 1}", t) for i, t in enumerate(mapping) if t != IGNORE]
        self.header_of = {target: header for _i, header, target in self.columns}
        self.definitions = {d.id: d for d in definitions}
        self.width = len(headers)
        self.today = today

    def read(self, number: int, cells: list[str]) -> Row:
        row = Row(number)
        raw = {}
        for index, _header, target in self.columns:
            value = cells[index] if index < len(cells) else ""
            value = clean_text(value, multiline=target in MULTILINE or self._is_long(target)).strip()
            if value:
                raw[target] = value
        if len(cells) > self.width and any(c.strip() for c in cells[self.width :]):
            row.issues.append(("", "extra-cells", {}))
        self._names(row, raw)
        country = self._country(row, raw)
        for target, value in raw.items():
            try:
                self._value(row, target, value, country)
            except BadValue as bad:
                row.issues.append((self.header_of[target], bad.code, bad.params))
        return row

    def _is_long(self, target: str) -> bool:
        definition = self._definition(target)
        return definition is not None and definition.field_type == "textarea"

    def _definition(self, target: str) -> CustomerFieldDefinition | None:
        return self.definitions.get(int(target[7:])) if target.startswith("custom:") else None

    def _names(self, row: Row, raw: dict) -> None:
        if "full_name" in raw:
            last, first = split_full_name(raw.pop("full_name"))
            raw["last_name"], raw["first_name"] = last, first
            self.header_of.setdefault("last_name", self.header_of["full_name"])
            self.header_of.setdefault("first_name", self.header_of["full_name"])
            if not first:
                raw.pop("first_name")
        if not raw.get("last_name"):
            column = self.header_of.get("last_name") or self.header_of.get("full_name", "")
            row.issues.append((column, "required-last-name", {}))
            raw.pop("last_name", None)

    def _country(self, row: Row, raw: dict) -> str:
        if "country" not in raw:
            return "DE"
        code = COUNTRY_CODES.get(normalise_header(raw.pop("country")))
        if code is None:
            row.issues.append((self.header_of["country"], "unknown-country", {}))
            return "DE"
        row.data["country"] = code
        return code

    def _value(self, row: Row, target: str, value: str, country: str) -> None:
        if target in LIMITS and len(value) > LIMITS[target]:
            raise BadValue("too-long", max=LIMITS[target])
        if target in ("first_name", "last_name", "street", "city", "notes"):
            row.data[target] = value
        elif target == "email":
            try:
                validate_email(value, check_deliverability=False)
            except EmailNotValidError as exc:
                raise BadValue("invalid-email") from exc
            row.data["email"] = normalize_email(value)
        elif target == "phone":
            try:
                row.data["phone"] = normalize_phone(value, country)
            except InvalidPhone as exc:
                raise BadValue("invalid-phone") from exc
        elif target == "birthday":
            born = parse_date(value, self.today)
            if born > self.today:
                raise BadValue("future-date")
            if born.year < 1900:
                raise BadValue("birthday-year")
            row.data["birthday"] = born
        elif target == "postal_code":
            row.data["postal_code"] = self._postal_code(value, country)
        elif target == "legacy_number":
            row.legacy_number = value
        elif target in ("last_visit", "consent_date"):
            day = parse_date(value, self.today)
            if day > self.today:
                raise BadValue("future-date")
            setattr(row, target, day)
        elif target in ("consent_email", "consent_sms"):
            if parse_yes_no(value):
                row.consents[target[8:]] = True
        else:
            definition = self._definition(target)
            if definition is not None:
                row.custom[definition.id] = self._custom(definition, value)

    @staticmethod
    def _postal_code(value: str, country: str) -> str:
        if country == "DE" and value.isdigit() and len(value) == 4:
            value = "0" + value  # Excel drops the leading zero of 01067 Dresden
        if not POSTAL_CODE.match(value):
            raise BadValue("invalid-postal-code")
        if country == "DE" and not (value.isdigit() and len(value) == 5):
            raise BadValue("german-postal-code")
        return value.upper()

    def _custom(self, definition: CustomerFieldDefinition, value: str) -> str:
        kind = definition.field_type
        if kind == "number":
            try:
                number = Decimal(value.replace(" ", "").replace(",", "."))
            except InvalidOperation as exc:
                raise BadValue("not-a-number") from exc
            if not number.is_finite() or abs(number) > 2**31:
                raise BadValue("not-a-number")
            return str(number)
        if kind == "date":
            return parse_date(value, self.today).isoformat()
        if kind == "choice":
            for choice in definition.choices:
                if choice.casefold() == value.casefold():
                    return choice
            raise BadValue("unknown-choice", choices=", ".join(definition.choices))
        limit = 5000 if kind == "textarea" else 500
        if len(value) > limit:
            raise BadValue("too-long", max=limit)
        return value
