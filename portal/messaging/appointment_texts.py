"""Each location's own texts of its appointment messages (confirmation, reminder, move,
cancellation), with placeholders; a kind the location has not written uses the portal's text
(`templates/messaging/texts/`). Shown for editing as that text with its placeholders."""

from __future__ import annotations

import re
from types import SimpleNamespace

from flask import render_template
from flask_babel import lazy_gettext as _l

from portal.audit import Actor, record
from portal.messaging.eligibility import messaging_settings
from portal.models import Location
from portal.transaction import transaction
from portal.web.words import force_locale

KINDS = {
    "confirmation": _l("Confirmation of a booking"),
    "reminder": _l("Reminder"),
    "update": _l("Appointment moved"),
    "cancellation": _l("Appointment cancelled"),
}
PLACEHOLDERS = ("first_name", "last_name", "salon", "location", "when", "service")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TextError(ValueError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


def portal_text(kind: str) -> tuple[str, str]:
    """The portal's own text of a kind, in German, with its placeholders (subject, body)."""
    fields = {name: "{" + name + "}" for name in PLACEHOLDERS}
    with force_locale("de"):
        text = render_template(
            f"messaging/texts/{kind}.txt",
            customer=SimpleNamespace(first_name=fields["first_name"], last_name=fields["last_name"]),
            salon=fields["salon"],
            location=SimpleNamespace(name=fields["location"]),
            when=fields["when"],
            service=fields["service"],
        ).strip()
    lines = text.splitlines()
    return lines[0], "\n".join(lines[2:])


def texts_for(location: Location) -> list[tuple[str, str, str, bool]]:
    """(kind, subject, body, the location's own?) for each kind."""
    own = messaging_settings(location).texts or {}
    result = []
    for kind in KINDS:
        if kind in own:
            result.append((kind, own[kind]["subject"], own[kind]["body"], True))
        else:
            result.append((kind, *portal_text(kind), False))
    return result


@transaction
def save(actor: Actor, location: Location, kind: str, subject: str, body: str, back_to_portal: bool = False) -> None:
    if kind not in KINDS:
        raise TextError("unknown-kind")
    settings = messaging_settings(location)
    texts = dict(settings.texts or {})
    if back_to_portal:
        texts.pop(kind, None)
    else:
        subject, body = " ".join(subject.split()), body.strip()
        if not subject or not body:
            raise TextError("empty")
        unknown = sorted({n for n in PLACEHOLDER.findall(subject + body) if n not in PLACEHOLDERS})
        if unknown:
            raise TextError("unknown-placeholder", ", ".join("{" + n + "}" for n in unknown))
        texts[kind] = {"subject": subject[:200], "body": body[:2000]}
    before = settings.texts or {}
    if texts == before:
        return
    settings.texts = texts  # a new dict: the JSON column sees the change
    record(
        actor,
        "setting",
        "updated",
        "messaging_settings",
        settings.id,
        {f"own_text_{kind}": {"old": kind in before, "new": kind in texts}},
        summary=location.name,
    )


def own_text(location: Location, kind: str, values: dict[str, str]) -> tuple[str, str] | None:
    """The location's own text of a kind filled in, or None (the portal's text is used)."""
    own = (messaging_settings(location).texts or {}).get(kind)
    if not own:
        return None

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    return fill(own["subject"]), fill(own["body"])
