"""The access package (Art. 15 and 20 GDPR): one ZIP with data.json (documented schema,
docs/access-package.md), one CSV per kind of record, and a readable report.html with the
Art. 15(1) information. Trade-secret fields are named with their content withheld (Art. 15(4))."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from functools import partial

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import literal_column, select

from portal import tokens
from portal.audit import Actor, record
from portal.customers.service import STANDARD_FIELDS
from portal.extensions import db
from portal.history.display import TEMPLATE_LABELS as HISTORY_LABELS
from portal.mail import external_url, queue_email
from portal.messaging.labels import CONSENT_METHODS
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


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def collect(customer: Customer) -> dict:
    """Everything the salon holds about the customer, in the documented schema."""
    cid, account_id = customer.id, customer.account_id
    definitions = {
        d.id: d
        for d in db.session.scalars(
            select(CustomerFieldDefinition).where(CustomerFieldDefinition.account_id == account_id)
        )
    }
    custom = []
    for value in db.session.scalars(select(CustomerFieldValue).where(CustomerFieldValue.customer_id == cid)):
        definition = definitions.get(value.field_id)
        if definition is None or not value.value:
            continue
        entry = {"label": definition.label, "trade_secret": definition.is_trade_secret}
        entry["value"] = WITHHELD if definition.is_trade_secret else value.value
        custom.append(entry)
    locations = {
        loc.id: loc.name for loc in db.session.scalars(select(Location).where(Location.account_id == account_id))
    }
    # Columns, not objects: a regular customer has thousands of rows here.
    appointments = [
        {
            "id": a.id,
            "starts_at": _iso(a.starts_at),
            "ends_at": _iso(a.ends_at),
            "status": a.status,
            "location": locations.get(a.location_id),
            "service": a.service,
            "employee": a.employee,
            "notes": a.notes,
        }
        for a in db.session.execute(
            select(
                Appointment.id,
                Appointment.starts_at,
                Appointment.ends_at,
                Appointment.status,
                Appointment.location_id,
                Service.name.label("service"),
                Employee.name.label("employee"),
                Appointment.notes,
            )
            .outerjoin(Service, Service.id == Appointment.service_id)
            .outerjoin(Employee, Employee.id == Appointment.employee_id)
            .where(Appointment.customer_id == cid)
            .order_by(Appointment.starts_at)
        )
    ]
    invoice_list = db.session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            Invoice.issued_at,
            Invoice.service_date,
            Invoice.status,
            Invoice.total_cents,
            Invoice.billed_name,
            Invoice.cancels_invoice_id,
        )
        .where(Invoice.customer_id == cid)
        .order_by(Invoice.issued_at)
    ).all()
    numbers = {i.id: i.number for i in invoice_list}
    lines, payments = {}, {}
    for li in db.session.execute(
        select(
            InvoiceLine.invoice_id,
            InvoiceLine.description,
            InvoiceLine.quantity,
            InvoiceLine.unit_price_cents,
            InvoiceLine.vat_rate_permille,
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.customer_id == cid)
        .order_by(InvoiceLine.id)
    ):
        lines.setdefault(li.invoice_id, []).append(
            {
                "description": li.description,
                "quantity": li.quantity,
                "unit_price_cents": li.unit_price_cents,
                "vat_rate_permille": li.vat_rate_permille,
            }
        )
    for p in db.session.execute(
        select(InvoicePayment.invoice_id, InvoicePayment.method, InvoicePayment.amount_cents)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .where(Invoice.customer_id == cid)
        .order_by(InvoicePayment.id)
    ):
        payments.setdefault(p.invoice_id, []).append({"method": p.method, "amount_cents": p.amount_cents})
    invoices = [
        {
            "number": i.number,
            "kind": i.kind,
            "issued_at": _iso(i.issued_at),
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
    consents = [
        {"channel": c.channel, "status": c.status, "updated_at": _iso(c.updated_at)}
        for c in db.session.scalars(select(Consent).where(Consent.customer_id == cid))
    ]
    consent_log = [
        {
            "channel": entry.channel,
            "status": entry.status,
            "method": entry.method,
            "text_version": entry.text_version,
            "source": entry.source,
            "given_on": _iso(entry.given_on),
            "occurred_at": _iso(entry.occurred_at),
        }
        for entry in db.session.scalars(
            select(ConsentLog).where(ConsentLog.customer_id == cid).order_by(ConsentLog.occurred_at)
        )
    ]
    # Changes to their data, without naming the staff (that would disclose others' data).
    history = [
        {
            "occurred_at": _iso(occurred_at),
            "category": category,
            "action": action,
            "fields": fields.split(" ") if fields else [],
        }
        for occurred_at, category, action, fields in db.session.execute(
            select(AuditEvent.occurred_at, AuditEvent.category, AuditEvent.action, _changed_fields())
            .where(
                AuditEvent.account_id == account_id,
                AuditEvent.customer_id == cid,
                AuditEvent.category.in_(("customer", "appointment")),
            )
            .order_by(AuditEvent.occurred_at)
        )
    ]
    requests = [
        {"id": r.id, "kind": r.kind, "status": r.status, "received_at": _iso(r.received_at)}
        for r in db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.customer_id == cid))
    ]
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


def _changed_fields():
    """The names of the fields an event changed, sorted and space-separated, read out of its JSON
    by the database (a regular customer has thousands of events); own fields (`custom:…`) left out,
    as their labels may be the salon's trade secret."""
    if db.engine.dialect.name == "postgresql":
        keys = (
            "(SELECT string_agg(key, ' ' ORDER BY key COLLATE \"C\") FROM json_object_keys(audit_event.changes) AS key "
            "WHERE key NOT LIKE 'custom:%')"
        )
    else:
        keys = (
            "(SELECT group_concat(key, ' ') FROM (SELECT key FROM json_each(audit_event.changes) "
            "WHERE key NOT LIKE 'custom:%' ORDER BY key))"
        )
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
    json's C encoder (indent= switches to the pure-Python one, a fifth of a large package's time)."""
    dumps = partial(json.dumps, ensure_ascii=False)
    lines = ["{"]
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < len(data) - 1 else ""
        if isinstance(value, list) and value:
            lines += [f"  {dumps(key)}: [", ",\n".join(f"    {dumps(item)}" for item in value), f"  ]{comma}"]
        else:
            lines.append(f"  {dumps(key)}: {dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def build_package(request: PrivacyRequest, customer: Customer) -> bytes:
    data = collect(customer)
    notice = build_notice(db.session.get(Location, request.location_id))
    with force_locale(request.locale or "de"):
        report = render_template(
            "requests/access_report.html",
            data=data,
            notice=notice,
            request=request,
            consent_methods=CONSENT_METHODS,
            **HISTORY_LABELS,
        )
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
