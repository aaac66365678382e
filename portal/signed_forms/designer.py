"""Einstellungen → Formulare: creating and changing forms. Every saved change is a new version
(content frozen, SHA-256 kept), so a signed document always points at exactly what was shown."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Account, FormKind, FormVersion, SalonForm, Service
from portal.models.base import utcnow
from portal.signed_forms.content import (
    CONSENT_KINDS,
    FIELD_TYPES,
    INTERVALS,
    LIMITS,
    MAPPABLE,
    canonical,
    has_health_fields,
    sha256,
)
from portal.signed_forms.defaults import CONSENTS, intake_content
from portal.tenancy import scoped
from portal.transaction import transaction


class DesignError(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


def _clean(text: str | None, limit: int) -> str:
    return (text or "").replace("\r\n", "\n").strip()[:limit]


def _key(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "field"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def normalise(raw: dict, kind: str) -> dict:
    """The designer's input as a version's content; DesignError when it cannot be saved."""
    title = _clean(raw.get("title"), LIMITS["label"])
    if not title:
        raise DesignError("no-title")
    fields, taken, mapped = [], set(), set()
    for entry in raw.get("fields", [])[: LIMITS["fields"]]:
        label = _clean(entry.get("label"), LIMITS["label"])
        if not label:
            continue  # an empty row is the designer's spare line
        field_type = entry.get("type") if entry.get("type") in FIELD_TYPES else "text"
        maps_to = entry.get("maps_to") or ""
        if field_type == "customer":
            if kind != FormKind.INTAKE or maps_to not in MAPPABLE:
                raise DesignError("bad-mapping", label)
            if maps_to in mapped:
                raise DesignError("mapped-twice", label)
            mapped.add(maps_to)
        else:
            maps_to = ""
        choices = [c for c in (_clean(c, LIMITS["choice"]) for c in entry.get("choices", [])) if c]
        if field_type == "choice" and len(choices) < 2:
            raise DesignError("few-choices", label)
        key = entry.get("key") if entry.get("key") and entry["key"] not in taken else _key(label, taken)
        taken.add(key)
        fields.append(
            {
                "key": key,
                "label": label,
                "type": field_type,
                "choices": choices[: LIMITS["choices"]] if field_type == "choice" else [],
                "maps_to": maps_to,
                # A customer's name or address is not health data; only the salon's own questions.
                "health": bool(entry.get("health")) and field_type != "customer",
                "required": bool(entry.get("required")),
            }
        )
    if not fields:
        raise DesignError("no-fields")
    if kind == FormKind.INTAKE and not {"first_name", "last_name"} <= mapped:
        raise DesignError("intake-needs-name")
    consents = {
        kind_: _clean(text, LIMITS["consent"])
        for kind_, text in (raw.get("consents") or {}).items()
        if kind_ in CONSENT_KINDS and _clean(text, LIMITS["consent"])
    }
    content = {
        "kind": kind,
        "title": title,
        "intro": _clean(raw.get("intro"), LIMITS["intro"]),
        "privacy_text": _clean(raw.get("privacy_text"), LIMITS["privacy_text"]),
        "interval": raw.get("interval") if raw.get("interval") in INTERVALS else "once",
        "services": sorted(raw.get("services_names") or []),
        "fields": fields,
        "consents": consents,
    }
    if not content["privacy_text"]:
        raise DesignError("no-privacy-text")
    # Art. 9(2)(a): health answers only with the explicit consent, asked on the form itself.
    if has_health_fields(content) and "health" not in consents:
        raise DesignError("health-needs-consent")
    return content


def _new_version(form: SalonForm, content: dict, login_id: int | None) -> FormVersion:
    form.version += 1
    version = FormVersion(
        account_id=form.account_id,
        form_id=form.id,
        number=form.version,
        content=content,
        sha256=sha256(canonical(content)),
        privacy_sha256=sha256(content["privacy_text"]),
        login_id=login_id,
        created_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _services(account_id: int, ids: list[int]) -> list[Service]:
    if not ids:
        return []
    found = db.session.scalars(scoped(Service, account_id).where(Service.id.in_(ids))).all()
    if len(found) != len(set(ids)):
        raise DesignError("unknown-service")
    return list(found)


def _record(actor: Actor, form: SalonForm, action: str, changes: dict) -> None:
    """The settings-history entry of a change to a form."""
    record(actor, "setting", action, "form", form.id, changes, summary=form.title)


def add_intake_form(account_id: int, salon_name: str) -> SalonForm:
    """The built-in intake form of a new salon (German default text, version 1)."""
    content = intake_content(salon_name)
    form = SalonForm(account_id=account_id, kind=FormKind.INTAKE, title=content["title"], interval="once")
    db.session.add(form)
    db.session.flush()
    _new_version(form, content, None)
    return form


@transaction
def create_form(actor: Actor, raw: dict, service_ids: list[int], all_services: bool) -> SalonForm:
    """A new treatment form (the intake form is built in, one per salon)."""
    services = _services(actor.account_id, service_ids)
    raw = {**raw, "services_names": [s.name for s in services] if not all_services else []}
    content = normalise(raw, FormKind.TREATMENT)
    form = SalonForm(
        account_id=actor.account_id,
        kind=FormKind.TREATMENT,
        title=content["title"],
        interval=content["interval"],
        all_services=all_services,
    )
    form.services = services
    db.session.add(form)
    db.session.flush()
    version = _new_version(form, content, actor.login_id)
    _record(actor, form, "created", {"version": {"old": None, "new": version.number}})
    return form


@transaction
def save_form(
    actor: Actor, form: SalonForm, raw: dict, service_ids: list[int], all_services: bool
) -> FormVersion | None:
    """Save the designer's input; a new version when anything the customer sees changed (None
    when nothing did). Services and interval belong to the version too: they decide when it is asked."""
    services = _services(actor.account_id, service_ids) if form.kind == FormKind.TREATMENT else []
    all_services = all_services and form.kind == FormKind.TREATMENT
    raw = {**raw, "services_names": [s.name for s in services] if not all_services else []}
    content = normalise(raw, form.kind)
    current = current_version(form)
    if (
        current is not None
        and sha256(canonical(content)) == current.sha256
        and {s.id for s in form.services} == {s.id for s in services}
        and form.all_services == all_services
    ):
        return None
    form.title, form.interval, form.all_services = content["title"], content["interval"], all_services
    form.services = services
    version = _new_version(form, content, actor.login_id)
    _record(
        actor,
        form,
        "updated",
        {
            "version": {"old": current.number if current else None, "new": version.number},
            "sha256": {"old": current.sha256 if current else None, "new": version.sha256},
        },
    )
    return version


@transaction
def set_active(actor: Actor, form: SalonForm, active: bool) -> None:
    if form.kind == FormKind.INTAKE and not active:
        raise DesignError("intake-stays")
    if form.active != active:
        form.active = active
        _record(actor, form, "updated", {"active": {"old": not active, "new": active}})


def current_version(form: SalonForm) -> FormVersion | None:
    return db.session.scalars(
        select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.number == form.version)
    ).first()


def versions(form: SalonForm) -> list[FormVersion]:
    return list(
        db.session.scalars(
            select(FormVersion).where(FormVersion.form_id == form.id).order_by(FormVersion.number.desc())
        )
    )


def forms_of(account_id: int, active_only: bool = False) -> list[SalonForm]:
    query = scoped(SalonForm, account_id).order_by(SalonForm.kind, SalonForm.title)
    if active_only:
        query = query.where(SalonForm.active.is_(True))
    return list(db.session.scalars(query))


def intake_form(account_id: int) -> SalonForm | None:
    return db.session.scalars(scoped(SalonForm, account_id).where(SalonForm.kind == FormKind.INTAKE)).first()


def salon_name(account_id: int) -> str:
    return db.session.get(Account, account_id).name


def intake_form_privacy_text(account_id: int) -> str:
    """A new treatment form starts with the intake form's privacy text (the salon's own words)."""
    form = intake_form(account_id)
    version = current_version(form) if form else None
    return version.content["privacy_text"] if version else ""


def intake_content_health_text(salon: str) -> str:
    """The default text of the explicit health-data consent, for a salon's own forms."""
    return CONSENTS["health"].format(salon=salon)
