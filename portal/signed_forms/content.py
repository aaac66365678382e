"""What a form version holds, and its fingerprint. A version's content is plain JSON:

    {"kind", "title", "intro", "privacy_text", "interval", "services": [names],
     "fields": [{"key", "label", "type", "choices", "maps_to", "health", "required"}],
     "consents": {"email" | "sms" | "photo" | "health": text shown beside the checkbox}}

The SHA-256 is taken over the canonical JSON (sorted keys, no spaces), so the same content
always has the same hash and any change of a letter changes it."""

from __future__ import annotations

import hashlib
import json

from flask_babel import lazy_gettext as _l

from portal.history.display import FIELD_LABELS

FIELD_TYPES = {
    "text": _l("Text"),
    "textarea": _l("Long text"),
    "yes_no": _l("Yes / no"),
    "choice": _l("Choice"),
    "date": _l("Date"),
    "number": _l("Number"),
    "customer": _l("Customer field (intake form)"),
}

# Customer fields an intake form may fill in (the customer's own entries update the file).
MAPPABLE = {
    name: FIELD_LABELS[name]
    for name in ("first_name", "last_name", "email", "phone", "birthday", "street", "postal_code", "city")
}

# Consent checkboxes a form may carry; the first three are the marketing channels of the
# consent log, "health" is the explicit consent of Art. 9(2)(a) GDPR for this form's answers.
CONSENT_KINDS = {
    "email": _l("Marketing by email"),
    "sms": _l("Marketing by SMS"),
    "photo": _l("Publication of photos"),
    "health": _l("Health data (Art. 9 GDPR)"),
}
MARKETING_CHANNELS = ("email", "sms", "photo")

INTERVALS = {
    "every_visit": _l("every visit"),
    "3_months": _l("every 3 months"),
    "6_months": _l("every 6 months"),
    "once": _l("once"),
}
INTERVAL_MONTHS = {"3_months": 3, "6_months": 6}

LIMITS = {
    "fields": 40,
    "label": 200,
    "choices": 20,
    "choice": 80,
    "intro": 4000,
    "privacy_text": 20000,
    "consent": 2000,
}


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def has_health_fields(content: dict) -> bool:
    return any(f.get("health") for f in content.get("fields", []))
