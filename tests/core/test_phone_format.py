"""A stored number is shown exactly as the phonenumbers library would show it, without its full
parser: every region's example numbers and thousands of German mobiles compared."""

from __future__ import annotations

import random

import phonenumbers

from portal.validation import InvalidPhone, format_phone, normalize_phone


def _library(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def test_stored_numbers_read_as_the_library_writes_them():
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and phonenumbers.is_valid_number(example):
                numbers.append(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    rng = random.Random(2026)
    for _ in range(1000):  # German mobiles as people type them; the valid ones, stored as E.164
        try:
            numbers.append(
                normalize_phone(f"01{rng.choice('567')}{rng.randint(0, 9)} {rng.randint(1000000, 99999999)}")
            )
        except InvalidPhone:
            pass
    numbers += [normalize_phone("+39 06 1234 5678"), normalize_phone("+39 347 123 4567")]  # Italy keeps its 0
    assert len(numbers) > 800
    assert [format_phone(n) for n in numbers] == [_library(n) for n in numbers]


def test_what_is_not_a_stored_number_is_shown_as_it_is():
    assert format_phone("") == "" and format_phone(None) == ""
    assert format_phone("kein Telefon") == "kein Telefon"
    assert format_phone("+4930") == _library("+4930")
