"""Normalisation of contact data: phone numbers to E.164, emails lower-cased (DESIGN.md #12)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import phonenumbers


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, region: str = "DE") -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """+4917012345678 -> +49 170 12345678, for display."""
    if not e164:
        return ""
    return _formatted(e164)


# Formatting runs the library's regular expressions (a list page spends a fifth of its time
# there); a salon's numbers are few enough to remember the written form of each one shown.
@lru_cache(maxsize=16384)
def _formatted(e164: str) -> str:
    number = _stored_number(e164)
    if number is None:
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _stored_number(e164: str) -> phonenumbers.PhoneNumber | None:
    """A number as `normalize_phone` stored it, read without the full parser (which a list of 25
    customers would run 25 times a page): country codes are prefix-free, so the first known one
    is it; leading zeros of the national number are kept as the parser keeps them (Italy)."""
    digits = e164[1:]
    if not e164.startswith("+") or not digits.isdigit():
        return None
    for length in (1, 2, 3):
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            if not national:
                return None
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
            zeros = len(national) - len(national.lstrip("0"))
            if zeros and int(national):
                number.italian_leading_zero = True
                if zeros > 1:
                    number.number_of_leading_zeros = zeros
            return number
    return None


def phone_search_digits(e164: str | None) -> str:
    """Digits a person may type to find a number: international and German national form."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    forms = [digits]
    if digits.startswith("49"):
        forms.append("0" + digits[2:])
    return " ".join(forms)


def normalize_email(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    return raw.lower() or None


_GERMAN_LETTERS = str.maketrans({"ß": "ss", "ẞ": "ss"})


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """A name as the phone book files it. Names repeat (Müller, Anna …): cached."""
    text = text.translate(_GERMAN_LETTERS)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.casefold()


def german_sort_key(last_name: str, first_name: str = "") -> str:
    """Names in the order of a German phone book (DIN 5007-1): umlauts and accents as their base
    letter, ß as ss, case ignored — so Böhm stands beside Bohm, not after Braun."""
    return f"{_folded(last_name)} {_folded(first_name)}".strip()[:210]
