"""The record of processing activities (Verzeichnis von Verarbeitungstätigkeiten, Art. 30(1)
GDPR), generated from what the portal knows: the controller and DPO (privacy settings), the
customer fields in use, the processor register (recipients, third countries), the periods
(`portal/legal.py`, the automatic forgetting, the retention plan) and the TOM list — plus the
salon's notes and its own activities. The generated part is kept as data (`content`): each
change of what it is generated from makes a new version (see `note_change`), and the texts are
added when it is shown, in German or English."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.accountability import measures, processors, records
from portal.audit import SETTINGS_CHANGED, Actor, assign, field_changes, record
from portal.extensions import db
from portal.legal import DEFAULT_MARKETING_WINDOW_MONTHS, RETENTION_PERIODS
from portal.models import (
    Account,
    ConfidentialityCommitment,
    CustomerFieldDefinition,
    PrivacySettings,
    RecordEntry,
    RecordVersion,
)
from portal.models.base import utcnow
from portal.privacy.settings_service import settings_for
from portal.tenancy import scoped
from portal.transaction import transaction


@dataclass(frozen=True)
class Activity:
    """A purpose the portal supports, with its fixed parts (their texts in both languages)."""

    key: str
    name: object
    purposes: object
    legal_basis: object
    subjects: object
    data: tuple  # standard categories of data
    recipients: tuple = ()  # standard processors involved ("operator", "mail", "sms")
    extra_recipients: object = None  # beyond the processors (e.g. the tax advisor)
    needs_marketing: bool = False


CUSTOMER_DATA = (_l("name"), _l("email address"), _l("mobile number"), _l("birthday"), _l("address"), _l("notes"))
ACTIVITIES = (
    Activity(
        "appointments",
        _l("Appointments and customer file"),
        _l("Booking, carrying out and documenting the services; the customer file with the salon's notes"),
        _l("Art. 6(1)(b) GDPR (contract and steps before it)"),
        _l("Customers, people booking for them (guardians of children)"),
        (*CUSTOMER_DATA, _l("appointments and services")),
        ("operator", "mail"),
    ),
    Activity(
        "invoices",
        _l("Invoices and bookkeeping"),
        _l("Invoicing, cash book, vouchers and bonus cards; keeping the records tax law requires"),
        _l("Art. 6(1)(c) GDPR with § 147 AO, § 257 HGB, § 14 UStG"),
        _l("Customers"),
        (_l("name and address as printed on the invoice"), _l("services and amounts"), _l("vouchers and stamps")),
        ("operator",),
        _l("the tax advisor and the tax authorities"),
    ),
    Activity(
        "marketing_consent",
        _l("Marketing by consent"),
        _l("Newsletters, birthday greetings and offers by email or SMS to customers who agreed"),
        _l("Art. 6(1)(a) and Art. 7 GDPR; § 7(2) UWG"),
        _l("Customers who gave their consent"),
        (_l("name"), _l("email address"), _l("mobile number"), _l("birthday"), _l("the consent and its proof")),
        ("operator", "mail", "sms"),
        needs_marketing=True,
    ),
    Activity(
        "marketing_existing",
        _l("Marketing to existing customers (§ 7(3) UWG)"),
        _l("Email advertising of the salon's own similar services to customers, with an objection notice"),
        _l("Art. 6(1)(f) GDPR; § 7(3) UWG"),
        _l("Customers who bought within the marketing window and did not object"),
        (_l("name"), _l("email address"), _l("visits and services")),
        ("operator", "mail"),
        needs_marketing=True,
    ),
    Activity(
        "reminders",
        _l("Appointment messages and reminders"),
        _l("Confirming, reminding of, moving and cancelling appointments"),
        _l("Art. 6(1)(b) GDPR"),
        _l("Customers with appointments"),
        (_l("name"), _l("email address"), _l("mobile number"), _l("appointments")),
        ("operator", "mail", "sms"),
    ),
    Activity(
        "requests",
        _l("Privacy requests"),
        _l("Receiving, verifying and answering requests for access, erasure, correction, restriction, objection"),
        _l("Art. 6(1)(c) GDPR with Art. 12–22 GDPR"),
        _l("Customers and other people asking"),
        (_l("email address"), _l("the request and its answer"), _l("the erasure certificate")),
        ("operator", "mail"),
    ),
    Activity(
        "staff",
        _l("Staff logins and PINs"),
        _l("Access to the portal, attributing changes to the person who made them"),
        _l("Art. 6(1)(b) and (f) GDPR (employment relationship, Art. 88 GDPR)"),
        _l("Owners, employees, the accountant"),
        (_l("name"), _l("email address"), _l("role"), _l("password and PIN as hashes"), _l("login history")),
        ("operator", "mail"),
    ),
    Activity(
        "security",
        _l("Security and accountability records"),
        _l("Histories of changes and of who opened which customer file; proving compliance"),
        _l("Art. 6(1)(c) and (f), Art. 5(2) and Art. 32 GDPR"),
        _l("Customers, staff"),
        (_l("who changed or opened what and when"), _l("IP address and browser of logins")),
        ("operator",),
    ),
)
BY_KEY = {activity.key: activity for activity in ACTIVITIES}
OWN_FIELDS = ("name", "purpose", "legal_basis", "data_subjects", "data_categories", "recipients", "retention")


class RecordError(ValueError):
    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code, self.field = code, field


# --- the content, as data --------------------------------------------------------------------


def _controller(account: Account) -> tuple[dict, dict | None]:
    settings = settings_for(account.main_location)
    controller = {
        "name": settings.controller_name or account.name,
        "street": settings.controller_street,
        "postal_code": settings.controller_postal_code,
        "city": settings.controller_city,
        "email": settings.controller_email,
        "phone": settings.controller_phone,
    }
    dpo = {"name": settings.dpo_name, "email": settings.dpo_email, "phone": settings.dpo_phone}
    return controller, dpo if settings.dpo_name else None


def _marketing_on(account_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(PrivacySettings)
            .where(PrivacySettings.account_id == account_id, PrivacySettings.marketing_enabled.is_(True))
        )
    )


def generate(account_id: int) -> dict:
    """What the record says today, as data (no texts): the same input gives the same content."""
    account = db.session.get(Account, account_id)
    controller, dpo = _controller(account)
    own_fields = list(
        db.session.scalars(
            select(CustomerFieldDefinition.label)
            .where(CustomerFieldDefinition.account_id == account_id, CustomerFieldDefinition.active.is_(True))
            .order_by(CustomerFieldDefinition.position, CustomerFieldDefinition.id)
        )
    )
    register = processors.register(account_id)
    entries = db.session.scalars(scoped(RecordEntry, account_id).order_by(RecordEntry.id)).all()
    notes = {e.generated: e.note for e in entries if e.generated}
    marketing = _marketing_on(account_id)
    activities = [
        {
            "key": activity.key,
            "own_fields": own_fields if activity.key == "appointments" else [],
            "processors": [
                processors.name_of(p) for p in register if p.standard is None or p.standard in activity.recipients
            ],
            "note": notes.get(activity.key, ""),
        }
        for activity in ACTIVITIES
        if marketing or not activity.needs_marketing
    ]
    salon_measures = measures.salon_measures(account_id)
    signed = db.session.scalar(
        select(func.count())
        .select_from(ConfidentialityCommitment)
        .where(ConfidentialityCommitment.account_id == account_id)
    )
    return {
        "controller": controller,
        "dpo": dpo,
        "activities": activities,
        "own_activities": [{name: getattr(e, name) for name in OWN_FIELDS} for e in entries if not e.generated],
        "processors": [
            {
                "name": processors.name_of(p),
                "service": processors.service_of(p),
                "region": p.region,
                "country": p.country,
                "mechanism": p.transfer_mechanism,
                "dpa_signed_on": p.dpa_signed_on.isoformat() if p.dpa_signed_on else None,
            }
            for p in register
        ],
        "forgetting_months": account.retention_months,
        "marketing_window_months": account.marketing_window_months or DEFAULT_MARKETING_WINDOW_MONTHS,
        "record_periods": records.periods(account_id),
        "measures": {
            "done": [m.key for m in salon_measures if m.done],
            "notes": {m.key: m.note for m in salon_measures if m.note},
            "commitments_signed": signed,
        },
    }


def digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def versions(account_id: int) -> list[RecordVersion]:
    return db.session.scalars(scoped(RecordVersion, account_id).order_by(RecordVersion.number.desc())).all()


def version(account_id: int, number: int) -> RecordVersion | None:
    return db.session.scalar(scoped(RecordVersion, account_id).where(RecordVersion.number == number))


def own_entries(account_id: int) -> list[RecordEntry]:
    return db.session.scalars(
        scoped(RecordEntry, account_id).where(RecordEntry.generated.is_(None)).order_by(RecordEntry.name)
    ).all()


@transaction
def current(account_id: int) -> RecordVersion:
    """The current version, made now if what the record is generated from changed unmarked."""
    return snapshot(account_id)


def snapshot(account_id: int) -> RecordVersion:
    """The current version; a new one when the content differs from the last one."""
    content = generate(account_id)
    latest = db.session.scalar(scoped(RecordVersion, account_id).order_by(RecordVersion.number.desc()).limit(1))
    hashed = digest(content)
    if latest is not None and latest.digest == hashed:
        return latest
    created = RecordVersion(
        account_id=account_id,
        number=(latest.number + 1) if latest else 1,
        digest=hashed,
        content=content,
        created_at=utcnow(),
    )
    db.session.add(created)
    db.session.flush()
    return created


# Every settings change (privacy settings, own fields, processors, TOM, retention plan) marks its
# salon (`portal.audit.record`); before the transaction commits, the record is generated again
# and, if it changed, kept as a new version in the same transaction.
@event.listens_for(Session, "before_commit")
def _new_versions(session: Session) -> None:
    changed = session.info.pop(SETTINGS_CHANGED, set())
    for account_id in sorted(changed):
        snapshot(account_id)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(SETTINGS_CHANGED, None)


# --- the salon's own part --------------------------------------------------------------------


@transaction
def save_note(actor: Actor, key: str, note: str) -> bool:
    if key not in BY_KEY:
        raise RecordError("unknown")
    note = (note or "").strip()
    if len(note) > 2000:
        raise RecordError("too-long", "note")
    entry = db.session.scalar(scoped(RecordEntry, actor.account_id).where(RecordEntry.generated == key))
    if entry is None:
        if not note:
            return False
        entry = RecordEntry(account_id=actor.account_id, generated=key, note="")
        db.session.add(entry)
    changes = assign(entry, {"note": note})
    if not changes:
        return False
    entry.updated_at = utcnow()
    db.session.flush()
    record(actor, "setting", "updated", "record_entry", entry.id, field_changes(changes), summary=str(BY_KEY[key].name))
    return True


def _own_values(values: dict) -> dict:
    cleaned = {name: " ".join((values.get(name) or "").split()) for name in OWN_FIELDS}
    if not cleaned["name"]:
        raise RecordError("name", "name")
    if not cleaned["purpose"]:
        raise RecordError("purpose", "purpose")
    if not cleaned["legal_basis"]:
        raise RecordError("legal-basis", "legal_basis")
    limits = {"name": 200, "legal_basis": 300, "data_subjects": 500, "recipients": 500, "retention": 500}
    for name, limit in {**limits, "purpose": 2000, "data_categories": 2000}.items():
        if len(cleaned[name]) > limit:
            raise RecordError("too-long", name)
    return cleaned


@transaction
def save_own(actor: Actor, entry: RecordEntry | None, values: dict) -> RecordEntry:
    """Add (entry None) or change an activity the portal does not know; one without a purpose
    is refused."""
    values = _own_values(values)
    created = entry is None
    if created:
        entry = RecordEntry(account_id=actor.account_id, generated=None, **values)
        db.session.add(entry)
        changes = {name: (None, value) for name, value in values.items() if value}
    else:
        if entry.generated:
            raise RecordError("unknown")
        changes = assign(entry, values)
        if not changes:
            return entry
    entry.updated_at = utcnow()
    db.session.flush()
    record(
        actor,
        "setting",
        "created" if created else "updated",
        "record_entry",
        entry.id,
        field_changes(changes),
        summary=entry.name,
    )
    return entry


@transaction
def remove_own(actor: Actor, entry: RecordEntry) -> None:
    if entry.generated:
        raise RecordError("unknown")
    db.session.delete(entry)
    record(actor, "setting", "deleted", "record_entry", entry.id, {"name": {"old": entry.name, "new": None}})


# --- the texts, for the page and the files ---------------------------------------------------


@dataclass
class Shown:
    """One activity as the page, the PDF and the DOCX show it (in the language in force)."""

    key: str
    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def _list(items) -> str:
    return ", ".join(str(item) for item in items if str(item))


def describe(content: dict) -> tuple[list[tuple[str, str]], list[Shown]]:
    """(the header rows, the activities) of a version, in words of the language in force."""
    controller, dpo = content["controller"], content["dpo"]
    header = [
        (
            _("Controller"),
            _list(
                [
                    controller["name"],
                    controller["street"],
                    f"{controller['postal_code']} {controller['city']}".strip(),
                    controller["email"],
                    controller["phone"],
                ]
            ),
        ),
        (
            _("Data protection officer"),
            _list([dpo["name"], dpo["email"], dpo["phone"]]) if dpo else _("none designated (§ 38 BDSG)"),
        ),
    ]
    transfers = [
        _(
            "%(name)s: %(country)s (%(safeguard)s)",
            name=p["name"],
            country=p["country"],
            safeguard=processors.TRANSFER_MECHANISMS.get(p["mechanism"], "—"),
        )
        for p in content["processors"]
        if p["region"] == "third_country"
    ]
    measures_text = _tom_text(content["measures"])
    shown = []
    for item in content["activities"]:
        activity = BY_KEY[item["key"]]
        recipients = item["processors"] + ([str(activity.extra_recipients)] if activity.extra_recipients else [])
        shown.append(
            Shown(
                activity.key,
                str(activity.name),
                [
                    (_("Purposes"), str(activity.purposes)),
                    (_("Legal basis"), str(activity.legal_basis)),
                    (_("Data subjects"), str(activity.subjects)),
                    (_("Categories of personal data"), _list([*activity.data, *item["own_fields"]])),
                    (_("Recipients"), _list(recipients) or "—"),
                    (_("Transfers to third countries"), "; ".join(transfers) or _("none")),
                    (_("Erasure periods"), _period_text(activity.key, content)),
                    (_("Technical and organisational measures"), measures_text),
                ],
                item["note"],
            )
        )
    for own in content["own_activities"]:
        shown.append(
            Shown(
                "own",
                own["name"],
                [
                    (_("Purposes"), own["purpose"]),
                    (_("Legal basis"), own["legal_basis"]),
                    (_("Data subjects"), own["data_subjects"] or "—"),
                    (_("Categories of personal data"), own["data_categories"] or "—"),
                    (_("Recipients"), own["recipients"] or "—"),
                    (_("Erasure periods"), own["retention"] or "—"),
                    (_("Technical and organisational measures"), measures_text),
                ],
            )
        )
    return header, shown


def _period_text(key: str, content: dict) -> str:
    periods = content["record_periods"]
    if key == "appointments":
        months = content["forgetting_months"]
        return (
            _(
                "Forgotten automatically after %(months)d months without a visit or purchase; on request at once.",
                months=months,
            )
            if months
            else _("Until the customer asks for erasure (automatic forgetting is off).")
        )
    if key == "invoices":
        return "; ".join(
            _(
                "%(what)s: %(years)d years from the end of the calendar year (%(source)s)",
                what=p.label,
                years=p.years,
                source=p.source,
            )
            for p in RETENTION_PERIODS
        )
    if key in ("marketing_consent", "marketing_existing"):
        return _(
            "Until the consent is withdrawn or the customer objects; only customers active within %(months)d months; message log %(log)d months.",
            months=content["marketing_window_months"],
            log=periods["message_log"],
        )
    if key == "reminders":
        return _("With the appointment; message log %(months)d months.", months=periods["message_log"])
    if key == "requests":
        return _("Kept as proof of the answer (Art. 5(2) GDPR); the address of an erased person is removed.")
    if key == "staff":
        return _("While the login exists; login history %(months)d months.", months=periods["login_history"])
    return _(
        "Data-access log %(access)d months, login history %(logins)d months; histories of changes with the customer file.",
        access=periods["access_log"],
        logins=periods["login_history"],
    )


def _tom_text(measures_content: dict) -> str:
    portal = _list(what for what, _how in measures.BY_THE_PORTAL)
    salon = _list(measures.SALON_MEASURES[key] for key in measures_content["done"] if key in measures.SALON_MEASURES)
    return _(
        "By the portal: %(portal)s. By the salon: %(salon)s. Confidentiality commitments signed: %(count)d.",
        portal=portal,
        salon=salon or _("none marked yet"),
        count=measures_content["commitments_signed"],
    )
