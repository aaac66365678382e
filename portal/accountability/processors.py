"""The processor register (Auftragsverarbeiter, Art. 28 GDPR): who processes the salon's customer
data on its behalf, where, under which contract (AV-Vertrag, uploaded as PDF) and when it is to be
reviewed. Three entries come prefilled — the portal's operator, the mail provider and the SMS
gateway — for the owner to complete. Entries marked "remove by hand on erasure" form the Art. 19
list of every erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select

from portal.audit import Actor, assign, field_changes, record
from portal.extensions import db
from portal.mail import external_url, mail_owners
from portal.models import Account, Processor, StoredFile
from portal.transaction import transaction

MAX_DPA_BYTES = 10 * 1024 * 1024
REMIND_DAYS_BEFORE = 30
REGIONS = {"eu": _l("EU / EEA"), "third_country": _l("Third country")}
# Art. 45 adequacy decision, Art. 46(2)(c) standard contractual clauses, Art. 47 binding corporate rules.
TRANSFER_MECHANISMS = {
    "adequacy": _l("Adequacy decision (Art. 45 GDPR)"),
    "scc": _l("Standard contractual clauses (Art. 46 GDPR)"),
    "bcr": _l("Binding corporate rules (Art. 47 GDPR)"),
}


@dataclass(frozen=True)
class Standard:
    label: object
    service: object
    data_categories: object


STANDARD = {
    "operator": Standard(
        _l("Operator of the portal (hosting)"),
        _l("Hosting and operation of the privacy portal and its database, backups"),
        _l("All data in the portal: customer file, appointments, invoices, consents, histories"),
    ),
    "mail": Standard(
        _l("Email provider"),
        _l("Sending the portal's emails (confirmations, reminders, newsletters)"),
        _l("Name, email address, content of the messages"),
    ),
    "sms": Standard(
        _l("SMS gateway"),
        _l("Sending text messages (appointment reminders, campaigns)"),
        _l("Mobile number, content of the messages"),
    ),
}
FIELDS = (
    "name",
    "address",
    "service",
    "data_categories",
    "region",
    "country",
    "transfer_mechanism",
    "dpa_signed_on",
    "review_on",
    "erase_by_hand",
)


class ProcessorError(ValueError):
    """Refused input; `field` names the form field the message belongs to."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code, self.field = code, field


def name_of(processor: Processor) -> str:
    """The entry's name; a prefilled entry not yet completed goes by what it is."""
    if processor.name:
        return processor.name
    return str(STANDARD[processor.standard].label) if processor.standard in STANDARD else ""


def service_of(processor: Processor) -> str:
    if processor.service:
        return processor.service
    return str(STANDARD[processor.standard].service) if processor.standard in STANDARD else ""


def categories_of(processor: Processor) -> str:
    if processor.data_categories:
        return processor.data_categories
    return str(STANDARD[processor.standard].data_categories) if processor.standard in STANDARD else ""


def missing(processor: Processor) -> list[str]:
    """What an entry still lacks for the record of processing (shown on the register)."""
    gaps = []
    if not processor.name:
        gaps.append("name")
    if not processor.region:
        gaps.append("region")
    if processor.dpa_signed_on is None:
        gaps.append("dpa")
    return gaps


def add_standard(account_id: int) -> None:
    """A new salon's prefilled entries (the migration gave existing salons theirs)."""
    db.session.add_all(Processor(account_id=account_id, standard=key, erase_by_hand=False) for key in STANDARD)


def register(account_id: int) -> list[Processor]:
    """The prefilled entries first (in their fixed order), then the salon's own by name."""
    order = {key: position for position, key in enumerate(STANDARD)}
    rows = db.session.scalars(_REGISTER, {"account_id": account_id}).all()
    return sorted(rows, key=lambda p: (order.get(p.standard, len(order)), p.name.lower(), p.id))


# Read on every visit of the overview (its checks): built once.
_REGISTER = select(Processor).where(Processor.account_id == bindparam("account_id"))


def erasure_list(account_id: int) -> list[Processor]:
    return [p for p in register(account_id) if p.erase_by_hand]


def erasure_snapshot(account_id: int) -> list[dict]:
    """The Art. 19 list as the erasure certificate keeps it (names, not ids)."""
    return [{"name": name_of(p), "purpose": service_of(p)} for p in erasure_list(account_id)]


def _check(values: dict, today: date, old_review_on: date | None) -> dict:
    one_line = ("name", "service", "country", "data_categories")
    values = {
        **values,
        **{k: " ".join((values.get(k) or "").split()) for k in one_line},
        "address": (values.get("address") or "").strip(),
        "erase_by_hand": bool(values.get("erase_by_hand")),
    }
    if not values["name"]:
        raise ProcessorError("name", "name")
    if not values["service"]:
        raise ProcessorError("service", "service")
    if values["region"] not in REGIONS:
        raise ProcessorError("region", "region")
    if values["region"] == "third_country":
        if not values["country"]:
            raise ProcessorError("country", "country")
        if values["transfer_mechanism"] not in TRANSFER_MECHANISMS:
            raise ProcessorError("mechanism", "transfer_mechanism")
    else:
        values["country"], values["transfer_mechanism"] = "", ""
    if values["dpa_signed_on"] is not None and values["dpa_signed_on"] > today:
        raise ProcessorError("dpa-future", "dpa_signed_on")
    # A review date kept as it was may have passed; a new one may not.
    if values["review_on"] is not None and values["review_on"] != old_review_on and values["review_on"] < today:
        raise ProcessorError("review-past", "review_on")
    return values


@transaction
def save(actor: Actor, processor: Processor | None, values: dict, today: date) -> Processor:
    """Add (processor None) or change an entry; one settings-history event with what changed."""
    values = _check({name: values.get(name) for name in FIELDS}, today, processor.review_on if processor else None)
    created = processor is None
    if created:
        processor = Processor(account_id=actor.account_id)
        db.session.add(processor)
        changes = {name: (None, value) for name, value in values.items() if value not in (None, "")}
        for name, value in values.items():
            setattr(processor, name, value)
    else:
        changes = assign(processor, values)
        if not changes:
            return processor
    db.session.flush()
    record(
        actor,
        "setting",
        "created" if created else "updated",
        "processor",
        processor.id,
        field_changes(changes),
        summary=name_of(processor),
    )
    return processor


@transaction
def attach_dpa(actor: Actor, processor: Processor, content: bytes) -> None:
    """The signed contract as PDF (≤ 10 MB), replacing an earlier copy; kept until replaced or
    the entry is deleted."""
    if len(content) > MAX_DPA_BYTES:
        raise ProcessorError("dpa-size", "dpa_file")
    if not content.startswith(b"%PDF-"):
        raise ProcessorError("dpa-type", "dpa_file")
    old_file = processor.dpa_file_id
    stored = StoredFile(
        account_id=actor.account_id,
        kind="dpa",
        filename=f"AV-Vertrag-{processor.id}.pdf",
        mimetype="application/pdf",
        content=content,
        expires_at=None,
    )
    db.session.add(stored)
    db.session.flush()
    processor.dpa_file_id = stored.id
    if old_file:
        db.session.execute(delete(StoredFile).where(StoredFile.id == old_file))
    record(
        actor,
        "setting",
        "updated",
        "processor",
        processor.id,
        {"dpa_file": {"old": bool(old_file), "new": True}},
        summary=name_of(processor),
    )


def dpa_file(processor: Processor) -> StoredFile | None:
    return db.session.get(StoredFile, processor.dpa_file_id) if processor.dpa_file_id else None


@transaction
def remove(actor: Actor, processor: Processor) -> None:
    """Delete an entry and its contract copy; ticks on erasure requests keep the name."""
    file_id, name = processor.dpa_file_id, name_of(processor)
    db.session.delete(processor)
    if file_id:
        db.session.execute(delete(StoredFile).where(StoredFile.id == file_id))
    record(actor, "setting", "deleted", "processor", processor.id, {"name": {"old": name, "new": None}}, summary=name)


def send_review_reminders() -> int:
    """One mail to the active owners per entry and review date, 30 days before it (or at once when
    the date was set nearer). The salon's own calendar decides the day."""
    sent = 0
    candidates = db.session.scalars(
        select(Processor).where(Processor.review_on.is_not(None)).order_by(Processor.account_id, Processor.id)
    ).all()
    for processor in candidates:
        if processor.reminded_for == processor.review_on:
            continue
        account = db.session.get(Account, processor.account_id)
        if processor.review_on - timedelta(days=REMIND_DAYS_BEFORE) > account.today():
            continue
        mail_owners(
            account,
            "processor_review_due",
            {
                "salon": account.name,
                "processor": name_of(processor),
                "review_on": processor.review_on,
                "link": external_url("processors.index", _anchor=f"processor-{processor.id}"),
            },
        )
        processor.reminded_for = processor.review_on
        sent += 1
    return sent
