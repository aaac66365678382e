"""The access package (Art. 15 and 20 GDPR): one ZIP with data.json (documented schema,
docs/access-package.md), one CSV per kind of record, and a readable report.html with the
Art. 15(1) information. Trade-secret fields are named with their content withheld (Art. 15(4))."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from functools import cache, partial
from json.encoder import c_make_encoder, encode_basestring
from types import SimpleNamespace

from sqlalchemy import bindparam, func, literal_column, select

from portal import tokens
from portal.audit import Actor, record
from portal.customers.service import STANDARD_FIELDS
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import (
    Account,
    Appointment,
    AuditEvent,
    Consent,
    ConsentLog,
    Customer,
    CustomerFieldDefinition,
    CustomerFieldValue,
    Employee,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    Location,
    PrivacyRequest,
    Service,
    SignedDocument,
    StampCard,
    StampEntry,
    StoredFile,
    Voucher,
)
from portal.models.base import utcnow
from portal.privacy.notice import build_notice
from portal.requests.access_csv import csv_tables
from portal.requests.access_report import render_report
from portal.signed_forms.documents import of_customer as documents_of
from portal.transaction import transaction

SCHEMA = "salon-privacy-portal/access-package"
SCHEMA_VERSION = 3  # 2: last_visit_at became last_activity_at; payments, voucher and stamp entries; 3: signed_documents
PACKAGE_PURPOSE = "access-package"
PACKAGE_DAYS = 7
WITHHELD = "content withheld (Art. 15(4) GDPR: trade secret)"
SUBJECT_FIELDS = (
    *STANDARD_FIELDS,
    "created_at",
    "imported_at",
    "import_source",
    "legacy_number",
    "legacy_last_visit_on",
    "last_activity_at",
    "restricted_at",
)

APPOINTMENT_KEYS = ("id", "starts_at", "ends_at", "status", "location", "service", "employee", "notes")


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _iso_text(column, dialect: str):
    """A UTC timestamp column as the database writes it in ISO 8601 (as datetime.isoformat()
    would: no ".000000", "+00:00"): thousands of rows need no parsing and re-writing in Python."""
    if dialect == "postgresql":
        text = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US')
    else:  # stored as "2026-12-06 10:15:00.000000" in UTC
        text = func.replace(column, " ", "T")
    return func.replace(text, ".000000", "").concat("+00:00").label(column.key)


def _rows(statement, **values):
    """A select of columns run by the Core: the ORM's row handling costs more than the read
    itself for the thousands of rows of a regular customer. Fetched at once: iterating the
    result would fetch row by row."""
    return db.session.connection().execute(statement, values).all()


def _records(keys: tuple[str, ...], statement, **values) -> list[dict]:
    """The rows as records named by `keys`, in the order of the selected columns."""
    return [dict(zip(keys, row, strict=True)) for row in _rows(statement, **values)]


@cache
def _queries(dialect: str) -> SimpleNamespace:
    """The package's reads, built once per process and database (building a statement and
    its cache key cost as much as a small read); the customer and salon are bound per package."""
    cid, account_id = bindparam("cid"), bindparam("account_id")
    return SimpleNamespace(
        custom=select(CustomerFieldDefinition.label, CustomerFieldDefinition.is_trade_secret, CustomerFieldValue.value)
        .join(CustomerFieldDefinition, CustomerFieldDefinition.id == CustomerFieldValue.field_id)
        .where(
            CustomerFieldValue.customer_id == cid,
            CustomerFieldDefinition.account_id == account_id,
            CustomerFieldValue.value != "",
        )
        .order_by(CustomerFieldDefinition.position, CustomerFieldDefinition.id),
        appointments=select(
            Appointment.id,
            _iso_text(Appointment.starts_at, dialect),
            _iso_text(Appointment.ends_at, dialect),
            Appointment.status,
            Location.name,
            Service.name,
            Employee.name,
            Appointment.notes,
        )
        .outerjoin(Location, Location.id == Appointment.location_id)
        .outerjoin(Service, Service.id == Appointment.service_id)
        .outerjoin(Employee, Employee.id == Appointment.employee_id)
        .where(Appointment.customer_id == cid)
        .order_by(Appointment.starts_at),
        invoices=select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            _iso_text(Invoice.issued_at, dialect),
            Invoice.service_date,
            Invoice.status,
            Invoice.total_cents,
            Invoice.billed_name,
            Invoice.cancels_invoice_id,
        )
        .where(Invoice.customer_id == cid)
        .order_by(Invoice.issued_at),
        lines=select(
            InvoiceLine.invoice_id,
            InvoiceLine.description,
            InvoiceLine.quantity,
            InvoiceLine.unit_price_cents,
            InvoiceLine.vat_rate_permille,
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.customer_id == cid)
        .order_by(InvoiceLine.id),
        payments=select(InvoicePayment.invoice_id, InvoicePayment.method, InvoicePayment.amount_cents)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .where(Invoice.customer_id == cid)
        .order_by(InvoicePayment.id),
        consents=select(Consent.channel, Consent.status, _iso_text(Consent.updated_at, dialect)).where(
            Consent.customer_id == cid
        ),
        consent_log=select(
            ConsentLog.channel,
            ConsentLog.status,
            ConsentLog.method,
            ConsentLog.text_version,
            ConsentLog.source,
            ConsentLog.given_on,
            _iso_text(ConsentLog.occurred_at, dialect),
        )
        .where(ConsentLog.customer_id == cid)
        .order_by(ConsentLog.occurred_at),
        history=select(
            _iso_text(AuditEvent.occurred_at, dialect),
            AuditEvent.category,
            AuditEvent.action,
            _changed_fields(dialect),
        )
        .where(
            AuditEvent.account_id == account_id,
            AuditEvent.customer_id == cid,
            AuditEvent.category.in_(("customer", "appointment")),
        )
        .order_by(AuditEvent.occurred_at),
        requests=select(
            PrivacyRequest.id,
            PrivacyRequest.kind,
            PrivacyRequest.status,
            _iso_text(PrivacyRequest.received_at, dialect),
        )
        .where(PrivacyRequest.customer_id == cid)
        .order_by(PrivacyRequest.id),
    )


def collect(customer: Customer) -> dict:
    """Everything the salon holds about the customer, in the documented schema."""
    cid, account_id = customer.id, customer.account_id
    queries = _queries(db.engine.dialect.name)
    custom = [
        {"label": label, "trade_secret": secret, "value": WITHHELD if secret else value}
        for label, secret, value in _rows(queries.custom, cid=cid, account_id=account_id)
    ]
    # Columns, not objects, zipped into records: a regular customer has thousands of rows here.
    appointments = _records(APPOINTMENT_KEYS, queries.appointments, cid=cid)
    invoice_list = _rows(queries.invoices, cid=cid)
    numbers = {i.id: i.number for i in invoice_list}
    lines, payments = {}, {}
    for li in _rows(queries.lines, cid=cid):
        lines.setdefault(li.invoice_id, []).append(
            {
                "description": li.description,
                "quantity": li.quantity,
                "unit_price_cents": li.unit_price_cents,
                "vat_rate_permille": li.vat_rate_permille,
            }
        )
    for p in _rows(queries.payments, cid=cid):
        payments.setdefault(p.invoice_id, []).append({"method": p.method, "amount_cents": p.amount_cents})
    invoices = [
        {
            "number": i.number,
            "kind": i.kind,
            "issued_at": i.issued_at,
            "service_date": _iso(i.service_date),
            "status": i.status,
            "total_cents": i.total_cents,
            "billed_name": i.billed_name,
            "cancels": numbers.get(i.cancels_invoice_id),
            "lines": lines.get(i.id, []),
            "payments": payments.get(i.id, []),
        }
        for i in invoice_list
    ]
    vouchers = [
        {
            "code": v.code,
            "issued_at": _iso(v.issued_at),
            "initial_cents": v.initial_cents,
            "remaining_cents": v.remaining_cents,
            "expires_on": _iso(v.expires_on),
            "entries": [
                {
                    "occurred_at": _iso(e.occurred_at),
                    "kind": e.kind,
                    "amount_cents": e.amount_cents,
                    "invoice": numbers.get(e.invoice_id),
                }
                for e in v.entries
            ],
        }
        for v in db.session.scalars(select(Voucher).where(Voucher.customer_id == cid))
    ]
    cards = db.session.scalars(select(StampCard).where(StampCard.customer_id == cid).order_by(StampCard.id)).all()
    stamps = {}
    for entry in db.session.scalars(
        select(StampEntry).where(StampEntry.card_id.in_([c.id for c in cards])).order_by(StampEntry.id)
    ):
        stamps.setdefault(entry.card_id, []).append(
            {"occurred_at": _iso(entry.occurred_at), "stamps": entry.stamps, "invoice": numbers.get(entry.invoice_id)}
        )
    stamp_cards = [
        {
            "program": s.program.name,
            "stamps": s.stamps,
            "stamps_required": s.program.stamps_required,
            "started_at": _iso(s.started_at),
            "completed_at": _iso(s.completed_at),
            "redeemed_at": _iso(s.redeemed_at),
            "entries": stamps.get(s.id, []),
        }
        for s in cards
    ]
    consents = _records(("channel", "status", "updated_at"), queries.consents, cid=cid)
    consent_log = [
        {**entry, "given_on": _iso(entry["given_on"])}
        for entry in _records(
            ("channel", "status", "method", "text_version", "source", "given_on", "occurred_at"),
            queries.consent_log,
            cid=cid,
        )
    ]
    # Changes to their data, without naming the staff (that would disclose others' data).
    history = [
        {
            "occurred_at": occurred_at,
            "category": category,
            "action": action,
            # SQLite hands the names over unsorted (`_changed_fields`); most events change one field.
            "fields": (sorted(fields.split(" ")) if " " in fields else [fields]) if fields else [],
        }
        for occurred_at, category, action, fields in _rows(queries.history, cid=cid, account_id=account_id)
    ]
    requests = _records(("id", "kind", "status", "received_at"), queries.requests, cid=cid)
    return {
        "signed_documents": _signed_documents(customer),
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(utcnow()),
        "subject": {name: _iso(getattr(customer, name)) for name in SUBJECT_FIELDS},
        "custom_fields": custom,
        "appointments": appointments,
        "invoices": invoices,
        "vouchers": vouchers,
        "stamp_cards": stamp_cards,
        "consents": consents,
        "consent_log": consent_log,
        "change_history": history,
        "privacy_requests": requests,
    }


def _changed_fields(dialect: str):
    """The names of the fields an event changed, space-separated (sorted on PostgreSQL), read out of its JSON
    by the database (a regular customer has thousands of events); own fields (`custom:…`) left out,
    as their labels may be the salon's trade secret."""
    if dialect == "postgresql":
        keys = (
            "(SELECT string_agg(key, ' ' ORDER BY key COLLATE \"C\") FROM json_object_keys(audit_event.changes) AS key "
            "WHERE key NOT LIKE 'custom:%')"
        )
    else:
        # Sorted by the caller: a sort per event inside the query cost a third of the history's read.
        keys = "(SELECT group_concat(key, ' ') FROM json_each(audit_event.changes) WHERE key NOT LIKE 'custom:%')"
    return literal_column(keys)


def _signed_documents(customer: Customer) -> list[dict]:
    """Every signed form with the customer's answers (health answers too: they are the
    customer's own data, even after the consent was withdrawn) and the PDF's place in the ZIP."""
    return [
        {
            "form": d.version.content["title"],
            "form_version": d.version.number,
            "form_version_sha256": d.version.sha256,
            "signed_at": _iso(d.signed_at),
            "answers": [
                {"question": f["label"], "answer": d.answers.get(f["key"]), "health_data": bool(f.get("health"))}
                for f in d.version.content["fields"]
            ],
            "consents": d.consents,
            "health_consent_withdrawn_at": _iso(d.health_withdrawn_at),
            "pdf": document_pdf_path(d),
            "pdf_sha256": d.pdf_sha256,
        }
        for d in reversed(documents_of(customer))
    ]


def document_pdf_path(document: SignedDocument) -> str:
    return f"documents/formular-{document.id}.pdf"


def readable_json(data: dict) -> str:
    """data.json with one record per line: as easy to read as an indented file, and written by
    json's C encoder (indent= switches to the pure-Python one, a fifth of a large package's time),
    made once for the package rather than once per record as json.dumps would."""
    encode = _record_encoder()
    lines = ["{"]
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < len(data) - 1 else ""
        if isinstance(value, list) and value:
            lines += [f"  {encode(key)}: [", ",\n".join(f"    {encode(item)}" for item in value), f"  ]{comma}"]
        else:
            lines.append(f"  {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def _record_encoder():
    """json.dumps(value, ensure_ascii=False) as one reusable function."""
    if c_make_encoder is None:  # a Python without the C accelerator
        return partial(json.dumps, ensure_ascii=False)

    def refuse(value):
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    encoder = c_make_encoder({}, refuse, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encoder(value, 0))


def build_package(request: PrivacyRequest, customer: Customer) -> bytes:
    data = collect(customer)
    report = render_report(data, build_notice(db.session.get(Location, request.location_id)), request)
    buffer = io.BytesIO()
    # The fastest deflate level: the package is made once and downloaded once.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("data.json", readable_json(data))
        archive.writestr("report.html", report)
        for name, content in csv_tables(data, request.locale or "de").items():
            archive.writestr(f"csv/{name}", content)
        for document in documents_of(customer):
            archive.writestr(document_pdf_path(document), document.pdf)
    return buffer.getvalue()


def deliver_package(request_id: int) -> str:
    """The job's work: build, store for 7 days, mail a single-use link, mark the request done.
    Idempotent: a request already answered is left alone."""
    request = db.session.get(PrivacyRequest, request_id)
    if request is None or request.status != "in_progress" or request.customer_id is None:
        return "nothing-to-do"
    customer = db.session.get(Customer, request.customer_id)
    stored = StoredFile(
        account_id=request.account_id,
        kind="access_package",
        mimetype="application/zip",
        filename=f"daten-{request.id}.zip",
        content=build_package(request, customer),
        expires_at=utcnow() + timedelta(days=PACKAGE_DAYS),
    )
    db.session.add(stored)
    db.session.flush()
    token = tokens.issue(request.account_id, PACKAGE_PURPOSE, {"request_id": request.id}, hours=24 * PACKAGE_DAYS)
    address = request.email or customer.email
    if address:
        queue_email(
            request.account_id,
            address,
            "privacy_access_package",
            {
                "link": external_url("public.download_package", token=tokens.link_value(token)),
                "days": PACKAGE_DAYS,
                "request_id": request.id,
            },
            locale=request.locale,
        )
    request.package_file_id = stored.id
    request.status, request.outcome = "done", "package_sent"
    request.handled_at = datetime.now(UTC)
    record(
        Actor(request.account_id, None),
        "request",
        "done",
        "privacy_request",
        request.id,
        {"outcome": {"old": None, "new": "package_sent"}},
        summary=f"#{request.id} {request.kind}",
    )
    db.session.commit()
    return "sent"


def package_account(token_value: str) -> Account | None:
    """The salon whose package a link points at (only checked: GET consumes nothing)."""
    checked = tokens.check(token_value, PACKAGE_PURPOSE)
    return db.session.get(Account, checked.account_id) if checked else None


@transaction
def take_package(token_value: str, actor: Actor) -> tuple[bytes, str] | None:
    """The download (POST): the token is used up, the file handed out once and deleted; None
    (and nothing used up) when the link or the file is gone."""
    checked = tokens.check(token_value, PACKAGE_PURPOSE)
    request = db.session.get(PrivacyRequest, checked.subject.get("request_id")) if checked else None
    stored = db.session.get(StoredFile, request.package_file_id) if request and request.package_file_id else None
    if stored is None or tokens.consume(token_value, PACKAGE_PURPOSE) is None:
        return None
    record(actor, "request", "package_downloaded", "privacy_request", request.id, summary=f"#{request.id}")
    request.package_file_id = None
    content, filename = stored.content, stored.filename
    db.session.delete(stored)
    return content, filename
