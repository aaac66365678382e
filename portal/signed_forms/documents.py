"""The signed documents in the customer file: the list, one document with its answers, the
PDF. Health answers (Art. 9) are for logins with "Read health data" only, every look at them
is a data-access entry, and after the customer withdrew the health-data consent nobody sees
them (the customer's own access package still holds them: they are the customer's data)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Customer, FormVersion, SignedDocument
from portal.models.base import utcnow
from portal.signed_forms.signing import log_health_consent
from portal.transaction import transaction


class DocumentError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def of_customer(customer: Customer) -> list[SignedDocument]:
    return list(
        db.session.scalars(
            select(SignedDocument)
            .where(SignedDocument.account_id == customer.account_id, SignedDocument.customer_id == customer.id)
            .order_by(SignedDocument.signed_at.desc(), SignedDocument.id.desc())
        )
    )


def listing(customer: Customer) -> list:
    """The customer file's list: what a row shows, read as columns — never the PDFs,
    signatures and frozen form versions the documents carry (a regular has dozens)."""
    return db.session.execute(
        select(
            SignedDocument.id,
            SignedDocument.signed_at,
            SignedDocument.pdf_sha256,
            SignedDocument.health_withdrawn_at,
            SignedDocument.consents["health"].as_boolean().label("health_consent"),
            FormVersion.number.label("version"),
            FormVersion.content["title"].as_string().label("title"),
        )
        .join(FormVersion, FormVersion.id == SignedDocument.version_id)
        .where(SignedDocument.account_id == customer.account_id, SignedDocument.customer_id == customer.id)
        .order_by(SignedDocument.signed_at.desc(), SignedDocument.id.desc())
    ).all()


def has_health(document: SignedDocument) -> bool:
    return bool(document.version.health_fields)


@dataclass
class AnswerRow:
    label: str
    field: dict
    value: object
    hidden: str = ""  # "" shown, "permission" or "withdrawn"


@transaction
def read(actor: Actor, document: SignedDocument, may_read_health: bool) -> list[AnswerRow]:
    """The answers as the page shows them; a look at health answers is logged."""
    rows, shown_health = [], False
    for field in document.version.content["fields"]:
        value = document.answers.get(field["key"])
        hidden = ""
        if field.get("health"):
            if document.health_withdrawn_at is not None:
                hidden = "withdrawn"
            elif not may_read_health:
                hidden = "permission"
            elif value not in (None, ""):
                shown_health = True
        rows.append(AnswerRow(field["label"], field, None if hidden else value, hidden))
    if shown_health:
        health_viewed(actor, document)
    return rows


def health_viewed(actor: Actor, document: SignedDocument) -> None:
    customer = db.session.get(Customer, document.customer_id)
    record(
        actor,
        "access",
        "health_viewed",
        "signed_document",
        document.id,
        {"form": {"old": None, "new": document.version.content["title"]}},
        customer_id=document.customer_id,
        summary=customer.full_name if customer else "",
    )


@transaction
def pdf_for(actor: Actor, document: SignedDocument, may_read_health: bool) -> bytes:
    """The stored PDF; it holds the health answers, so it follows their rule."""
    if has_health(document):
        if document.health_withdrawn_at is not None:
            raise DocumentError("withdrawn")
        if not may_read_health:
            raise DocumentError("permission")
        health_viewed(actor, document)
    return document.pdf


def withdraw_health(actor: Actor, customer: Customer, method: str, form_id: int | None = None) -> int:
    """The customer withdraws the health-data consent (of one form, or of all): the answers are
    hidden from now on and the form is not offered again until signed anew. Returns how many
    documents were affected. Runs in the caller's transaction."""
    now = utcnow()
    affected = 0
    for document in of_customer(customer):
        if document.consents.get("health") and document.health_withdrawn_at is None:
            if form_id is None or document.form_id == form_id:
                document.health_withdrawn_at, document.health_text = now, ""
                affected += 1
    if affected:
        log_health_consent(actor, customer, "withdrawn", method)
        record(
            actor,
            "customer",
            "health_withdrawn",
            "customer",
            customer.id,
            {"health_consent": {"old": "granted", "new": "withdrawn"}},
            customer_id=customer.id,
            summary=customer.full_name,
        )
    return affected


@transaction
def withdraw_health_recorded_by_staff(actor: Actor, customer: Customer, form_id: int | None) -> int:
    affected = withdraw_health(actor, customer, "oral", form_id)
    if not affected:
        raise DocumentError("nothing-to-withdraw")
    return affected
