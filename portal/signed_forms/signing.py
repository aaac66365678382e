"""Signing on the tablet: answers, ticks and signature become one signed document in one
transaction — the PDF with its hash, the customer's own entries in their file (a history
entry "by the customer on the tablet"), consents in the consent log with the document as
proof, and the Art. 9 health-data consent for this form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.audit import Actor, record
from portal.customers.service import apply_changes, record_change
from portal.extensions import db
from portal.messaging.consent import email_proof_hash, set_consent
from portal.models import Account, ConsentLog, Customer, Employee, FormVersion, SalonForm, SignedDocument, TabletSession
from portal.models.base import utcnow
from portal.signed_forms import signature
from portal.signed_forms.answers import AnswerErrors, health_text, validate
from portal.signed_forms.content import MARKETING_CHANNELS, sha256
from portal.signed_forms.tablet import claim, is_fillable
from portal.transaction import transaction
from portal.web.templating import format_moment_in_zone
from portal.web.words import force_locale


class SigningError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Submission:
    form_data: dict  # the posted fields, field_<key>
    ticked: set[str]  # consent kinds the customer ticked
    signature: str  # JSON strokes from the pad
    pad_width: int
    pad_height: int
    version_id: int  # the version the page showed
    ip: str


@dataclass(frozen=True)
class ShownText:
    """A consent text as the consent log cites it: the form's version and the text's hash."""

    version: str
    sha256: str


def _customer_values(fields: list[dict], answers: dict) -> dict:
    values = {}
    for field in fields:
        if field["type"] == "customer" and field["key"] in answers:
            value = answers[field["key"]]
            values[field["maps_to"]] = date.fromisoformat(value) if field["maps_to"] == "birthday" else value
    return values


def _update_customer(actor: Actor, customer: Customer | None, values: dict) -> Customer:
    """The customer's own entries (only what they filled in: a blank field changes nothing)."""
    action = "tablet_updated"
    if customer is None:
        customer, action = (
            Customer(account_id=actor.account_id, last_name=values.get("last_name", "")),
            "tablet_created",
        )
        db.session.add(customer)
    changes = apply_changes(customer, values, {})
    db.session.flush()
    if changes:
        record_change(actor, customer, action, changes)
    return customer


@transaction
def sign(session: TabletSession, submission: Submission) -> SignedDocument:
    """The signed document, or SigningError / AnswerErrors / SignatureError with nothing saved."""
    if submission.version_id != session.version_id:
        raise SigningError("stale-page")
    if not is_fillable(session):
        raise SigningError("closed" if session.document_id is None else "already-signed")
    version = db.session.get(FormVersion, session.version_id)
    content = version.content
    answers = validate(content["fields"], submission.form_data)
    strokes = signature.parse(submission.signature, submission.pad_width, submission.pad_height)
    consents = {kind: kind in submission.ticked for kind in content.get("consents", {})}
    health = health_text(content["fields"], answers)
    if health and not consents.get("health"):
        raise SigningError("health-without-consent")  # Art. 9(2)(a): no answers without it
    if content["kind"] == "intake" and session.customer_id is None:
        if not answers.get("first_name") and not answers.get("last_name"):
            raise AnswerErrors({"last_name": "required"})
    if not claim(session):  # a double tap: the first one signed
        raise SigningError("already-signed")

    account = db.session.get(Account, session.account_id)
    employee = db.session.get(Employee, session.employee_id)
    actor = Actor(session.account_id, session.login_id, session.employee_id, submission.ip)
    customer = db.session.get(Customer, session.customer_id) if session.customer_id else None
    customer = _update_customer(actor, customer, _customer_values(content["fields"], answers))
    now = utcnow()
    with force_locale("de"):
        signed_local = format_moment_in_zone(now, account.timezone)
    from portal.signed_forms import document_pdf  # reportlab, when a form is signed: `portal.lazy_imports`

    pdf = document_pdf.render(
        document_pdf.PdfInput(
            salon=account.name,
            customer_name=customer.full_name,
            content=content,
            version_number=version.number,
            version_sha256=version.sha256,
            answers=answers,
            consents=consents,
            strokes=strokes,
            pad_size=(submission.pad_width, submission.pad_height),
            signed_at_local=signed_local,
            ip=submission.ip,
            handed_over_by=employee.name if employee else "",
        )
    )
    document = SignedDocument(
        account_id=session.account_id,
        customer_id=customer.id,
        form_id=session.form_id,
        version_id=version.id,
        appointment_id=session.appointment_id,
        answers=answers,
        consents=consents,
        signature_svg=signature.to_svg(strokes, submission.pad_width, submission.pad_height),
        signature_strokes=signature.as_lists(strokes),
        signed_at=now,
        ip=submission.ip,
        login_id=session.login_id,
        employee_id=session.employee_id,
        pdf=pdf,
        pdf_sha256=sha256(pdf),
        health_text=health,
    )
    db.session.add(document)
    db.session.flush()
    session.document_id, session.customer_id = document.id, customer.id
    form_ref = f"F{session.form_id}.{version.number}"
    for channel in MARKETING_CHANNELS:
        if consents.get(channel):
            shown = ShownText(form_ref, sha256(content["consents"][channel]))
            set_consent(actor, customer, channel, "granted", "signed_form", shown, document_id=document.id)
    if consents.get("health"):
        log_health_consent(
            actor, customer, "granted", "signed_form", form_ref, sha256(content["consents"]["health"]), document.id
        )
    record(
        actor,
        "customer",
        "form_signed",
        "signed_document",
        document.id,
        {
            "form": {"old": None, "new": content["title"]},
            "version": {"old": None, "new": version.number},
            "pdf_sha256": {"old": None, "new": document.pdf_sha256},
        },
        customer_id=customer.id,
        summary=customer.full_name,
    )
    return document


def log_health_consent(
    actor: Actor,
    customer: Customer,
    status: str,
    method: str,
    version: str = "",
    text_hash: str = "",
    document_id: int | None = None,
) -> None:
    """The Art. 9 consent of one form in the consent log (channel "health")."""
    db.session.add(
        ConsentLog(
            account_id=customer.account_id,
            customer_id=customer.id,
            channel="health",
            status=status,
            method=method,
            text_version=version,
            text_hash=text_hash,
            login_id=actor.login_id,
            employee_id=actor.employee_id,
            ip=actor.ip,
            email_hash=email_proof_hash(customer.email),
            document_id=document_id,
        )
    )


def form_of(session: TabletSession) -> SalonForm:
    return db.session.get(SalonForm, session.form_id)
