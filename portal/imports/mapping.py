"""What each column of the file becomes: a customer field, one of the salon's own fields, an
imported consent or visit, or nothing — guessed from common German and English headers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.customers.service import STANDARD_FIELDS
from portal.history.display import FIELD_LABELS
from portal.models import CustomerFieldDefinition

IGNORE = "ignore"

# Targets other than the salon's own fields, in the order the mapping offers them; the customer
# fields by the words the histories use for them.
TARGET_LABELS = {
    IGNORE: _l("— ignore —"),
    "last_name": FIELD_LABELS["last_name"],
    "first_name": FIELD_LABELS["first_name"],
    "full_name": _l("Full name (last name, first name)"),
    **{name: FIELD_LABELS[name] for name in STANDARD_FIELDS if name not in ("first_name", "last_name")},
    "legacy_number": _l("Customer number in the previous software"),
    "last_visit": _l("Last visit (previous software)"),
    "consent_email": _l("Marketing consent by email (yes/no)"),
    "consent_sms": _l("Marketing consent by SMS (yes/no)"),
    "consent_date": _l("Date of the marketing consent"),
}


def normalise_header(text: str) -> str:
    """'E-Mail-Adresse' -> 'emailadresse', 'Straße' -> 'strasse', 'Geb.-Datum' -> 'gebdatum'."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", text)


_GUESSES = {
    "last_name": "nachname name familienname zuname lastname surname familyname kundenname",
    "first_name": "vorname rufname firstname givenname forename",
    "full_name": "vollstandigername namevorname kunde fullname customername",
    "email": "email emailadresse mail mailadresse emailaddress",
    "phone": "mobil mobiltelefon mobilnummer handy handynummer telefon tel telefonnummer telnr phone mobile "
    "cell cellphone phonenumber mobilephone",
    "birthday": "geburtstag geburtsdatum gebdatum geb birthday dateofbirth dob birthdate",
    "street": "strasse str strassehausnummer strasseundhausnummer adresse anschrift street address streetaddress",
    "postal_code": "plz postleitzahl zip zipcode postcode postalcode",
    "city": "ort stadt wohnort city town",
    "country": "land country",
    "notes": "notiz notizen bemerkung bemerkungen kommentar kommentare hinweis hinweise notes note comment comments",
    "legacy_number": "kundennummer kundennr kdnr nr nummer kundenid customernumber customerid clientid id",
    "last_visit": "letzterbesuch letztertermin zuletztda letzterbesucham lastvisit lastappointment",
    "consent_email": "newsletter emailwerbung werbungperemail emailmarketing marketingemail einwilligungemail "
    "emailmarketingeinwilligung newsletteremail",
    "consent_sms": "sms smswerbung werbungpersms smsmarketing marketingsms einwilligungsms",
    "consent_date": "einwilligungsdatum einwilligungam datumeinwilligung einwilligungvom consentdate "
    "marketingconsentdate",
}
MOBILE = frozenset("mobil mobiltelefon mobilnummer handy handynummer mobile cell cellphone mobilephone".split())
HEADER_GUESSES = {word: target for target, words in _GUESSES.items() for word in words.split()}


def custom_target(definition: CustomerFieldDefinition) -> str:
    return f"custom:{definition.id}"


@dataclass(frozen=True)
class Target:
    key: str
    label: str


def targets(definitions: list[CustomerFieldDefinition]) -> list[Target]:
    """Everything a column may become, for the mapping's choice lists."""
    own = [Target(custom_target(d), str(_l("Own field: %(label)s", label=d.label))) for d in definitions]
    return [Target(key, str(label)) for key, label in TARGET_LABELS.items()] + own


def guess(headers: list[str], definitions: list[CustomerFieldDefinition]) -> list[str]:
    """A target per column from its header; each target at most once (the first column wins,
    a mobile number before a landline), "ignore" where nothing fits."""
    own = {normalise_header(d.label): custom_target(d) for d in definitions}
    normalised = [normalise_header(h) for h in headers]
    guessed = [own.get(n) or HEADER_GUESSES.get(n, IGNORE) for n in normalised]
    # Where a target fits several columns, the first wins; for the phone, the first mobile one.
    order = sorted(range(len(headers)), key=lambda i: (guessed[i] == "phone" and normalised[i] not in MOBILE, i))
    taken: set[str] = set()
    result = [IGNORE] * len(headers)
    for index in order:
        target = guessed[index]
        if target != IGNORE and target not in taken:
            taken.add(target)
            result[index] = target
    # "Name" beside "Vorname" is the last name; alone it is the whole name.
    if "last_name" in result and "first_name" not in result:
        index = result.index("last_name")
        if normalise_header(headers[index]) in ("name", "kunde", "kundenname"):
            result[index] = "full_name"
    return result


def mapping_errors(mapping: list[str], allowed: set[str]) -> list[str]:
    """Codes (`labels.MAPPING_ERRORS`) of what is wrong with a mapping; empty when it can run."""
    errors = []
    if any(target not in allowed for target in mapping):
        errors.append("unknown-target")
    chosen = [t for t in mapping if t != IGNORE]
    if len(chosen) != len(set(chosen)):
        errors.append("mapped-twice")
    if "last_name" not in chosen and "full_name" not in chosen:
        errors.append("no-last-name")
    if "full_name" in chosen and ("last_name" in chosen or "first_name" in chosen):
        errors.append("name-twice")
    if "consent_date" in chosen and not {"consent_email", "consent_sms"} & set(chosen):
        errors.append("consent-date-alone")
    return errors
