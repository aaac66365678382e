"""The customer's answers: checked per field type (as the version defines them), normalised,
and shown again in documents and PDFs."""

from __future__ import annotations

from datetime import date

from portal.models.base import utcnow
from portal.validation import InvalidPhone, format_phone, normalize_email, normalize_phone

MAX_ANSWER = 2000


class AnswerErrors(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid answers")
        self.errors = errors  # field key -> code


def _parse(field: dict, raw: str):
    """One answer as stored, or ValueError(code)."""
    kind = field["type"] if field["type"] != "customer" else field.get("maps_to")
    if kind in ("birthday", "date"):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("date") from None
        if not date(1900, 1, 1) <= day <= utcnow().date():
            raise ValueError("date")
        return day.isoformat()
    if kind == "number":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise ValueError("number") from None
        return int(number) if number.is_integer() else number
    if kind == "yes_no":
        if raw not in ("yes", "no"):
            raise ValueError("choice")
        return raw
    if kind == "choice":
        if raw not in field["choices"]:
            raise ValueError("choice")
        return raw
    if kind == "email":
        email = normalize_email(raw)
        if not email or "@" not in email or len(email) > 254 or " " in email:
            raise ValueError("email")
        return email
    if kind == "phone":
        try:
            return normalize_phone(raw)
        except InvalidPhone:
            raise ValueError("phone") from None
    if kind == "postal_code" and len(raw) > 10:
        raise ValueError("too-long")
    return raw


def validate(fields: list[dict], form_data) -> dict:
    """{key: value} of the filled-in fields; AnswerErrors with every problem at once."""
    answers, errors = {}, {}
    for field in fields:
        raw = (form_data.get(f"field_{field['key']}") or "").replace("\r\n", "\n").strip()
        if len(raw) > MAX_ANSWER:
            errors[field["key"]] = "too-long"
            continue
        if not raw:
            if field.get("required"):
                errors[field["key"]] = "required"
            continue
        try:
            answers[field["key"]] = _parse(field, raw)
        except ValueError as error:
            errors[field["key"]] = str(error)
    if errors:
        raise AnswerErrors(errors)
    return answers


def display_value(field: dict, value) -> str:
    """An answer as a person reads it (German dates; yes/no in the form's language, German)."""
    if value in (None, ""):
        return "—"
    kind = field["type"] if field["type"] != "customer" else field.get("maps_to")
    if kind in ("birthday", "date"):
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if kind == "yes_no":
        return {"yes": "Ja", "no": "Nein"}.get(value, value)
    if kind == "phone":
        return format_phone(value)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def health_text(fields: list[dict], answers: dict) -> str:
    """The health answers as one line: "Allergien: Nickel; Medikamente: —"."""
    return "; ".join(
        f"{f['label']}: {display_value(f, answers.get(f['key']))}"
        for f in fields
        if f.get("health") and answers.get(f["key"]) not in (None, "")
    )
