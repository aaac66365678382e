"""Privacy rules of signed forms: health answers only with "Read health data", every look is
a data-access entry, never for the accountant; a withdrawal hides them (staff-recorded or by an
objection request); the access package holds the documents; the erasure removes them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, ConsentLog, Customer, PrivacyRequest, SignedDocument, TabletSession
from portal.requests.access import build_package
from tests import factories
from tests.privacy.helpers import erasure_confirmation
from tests.signed_forms.helpers import signed_by_service


def _document(salon, customer_id: int) -> SignedDocument:
    document_id = signed_by_service(
        salon, customer_id, {"first_name": "Erika", "last_name": "Muster", "allergies": "Nickelsulfat"}
    )
    db.session.commit()
    return db.session.get(SignedDocument, document_id)


def _health_reads(customer_id: int) -> list[int | None]:
    return db.session.scalars(
        select(AuditEvent.actor_login_id).where(
            AuditEvent.customer_id == customer_id, AuditEvent.action == "health_viewed", AuditEvent.category == "access"
        )
    ).all()


def test_health_answers_only_with_the_right_and_every_look_is_logged(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika")
    document = _document(salon, customer_id)
    url = f"/customers/{customer_id}/documents/{document.id}"
    staff = login_as(salon.staff)
    page = staff.get(url).get_data(as_text=True)
    assert "Nickelsulfat" not in page and "needs the right" in page
    assert "Erika" in page  # the other answers are there
    refused = staff.get(url + "/pdf", follow_redirects=True)
    assert refused.mimetype == "text/html" and "Read health data" in refused.get_data(as_text=True)
    assert _health_reads(customer_id) == []
    # The accountant never opens signed forms (nor the tab).
    accountant = login_as(salon.accountant)
    assert accountant.get(url).status_code == 403 and accountant.get(url + "/pdf").status_code == 403
    assert accountant.get(f"/customers/{customer_id}/forms").status_code == 404
    # The owner reads them; so does staff once the owner grants the right. Each look is logged.
    owner = login_as(salon.owner)
    assert "Nickelsulfat" in owner.get(url).get_data(as_text=True)
    pdf = owner.get(url + "/pdf")
    assert pdf.mimetype == "application/pdf" and hashlib.sha256(pdf.data).hexdigest() == document.pdf_sha256
    salon.staff.extra_permissions = ["health.read"]
    db.session.commit()
    assert "Nickelsulfat" in login_as(salon.staff).get(url).get_data(as_text=True)
    assert _health_reads(customer_id) == [salon.owner.id, salon.owner.id, salon.staff.id]
    log = owner.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert "read the health answers of a signed form" in log


def test_a_withdrawal_hides_the_answers_for_everyone(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika")
    document = _document(salon, customer_id)
    owner = login_as(salon.owner)
    unconfirmed = owner.post(f"/customers/{customer_id}/health/withdraw", data={})
    assert unconfirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(SignedDocument, document.id).health_withdrawn_at is None
    owner.post(f"/customers/{customer_id}/health/withdraw", data={"confirm": "y"})
    db.session.expire_all()
    withdrawn = db.session.get(SignedDocument, document.id)
    assert withdrawn.health_withdrawn_at is not None and withdrawn.health_text == ""
    page = owner.get(f"/customers/{customer_id}/documents/{document.id}").get_data(as_text=True)
    assert "Nickelsulfat" not in page and "withdrew the consent to health data" in page
    assert owner.get(f"/customers/{customer_id}/documents/{document.id}/pdf").status_code == 302
    log = db.session.scalars(select(ConsentLog).where(ConsentLog.channel == "health").order_by(ConsentLog.id)).all()
    assert [(entry.status, entry.method) for entry in log] == [("granted", "signed_form"), ("withdrawn", "oral")]


def test_an_objection_request_withdraws_the_health_consent_too(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika", email="erika@example.com")
    document = _document(salon, customer_id)
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "objection", "channel": "in_person", "location_id": salon.location.id},
    )
    request = db.session.scalars(select(PrivacyRequest)).one()
    owner.post(f"/privacy/requests/{request.id}/complete", data=erasure_confirmation(request.id))
    db.session.expire_all()
    assert db.session.get(SignedDocument, document.id).health_withdrawn_at is not None
    assert ("health", "withdrawn", "objection") in {
        (e.channel, e.status, e.method) for e in db.session.scalars(select(ConsentLog))
    }


def test_the_access_package_holds_the_documents_and_their_answers(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika", email="erika@example.com")
    document = _document(salon, customer_id)
    login_as(salon.owner).post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "access", "channel": "in_person", "location_id": salon.location.id},
    )
    request = db.session.scalars(select(PrivacyRequest)).one()
    archive = zipfile.ZipFile(io.BytesIO(build_package(request, db.session.get(Customer, customer_id))))
    data = json.loads(archive.read("data.json"))
    [entry] = data["signed_documents"]
    assert (
        data["schema_version"] == 3
        and entry["form"] == "Neukundenaufnahme"
        and entry["pdf_sha256"] == document.pdf_sha256
    )
    allergies = next(f["label"] for f in document.version.content["fields"] if f["key"] == "allergies")
    assert {"question": allergies, "answer": "Nickelsulfat", "health_data": True} in entry["answers"]
    assert hashlib.sha256(archive.read(entry["pdf"])).hexdigest() == document.pdf_sha256
    assert "Neukundenaufnahme" in archive.read("report.html").decode()
    assert {(c["channel"], c["method"], c["text_version"]) for c in data["consent_log"]} == {
        ("health", "signed_form", f"F{document.form_id}.1")
    }


def test_the_erasure_removes_documents_pdfs_and_hand_overs(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika", email="erika@example.com")
    _document(salon, customer_id)
    owner = login_as(salon.owner)
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "in_person", "location_id": salon.location.id},
    )
    request = db.session.scalars(select(PrivacyRequest)).one()
    assert (
        owner.post(f"/privacy/requests/{request.id}/complete", data=erasure_confirmation(request.id)).status_code == 302
    )
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SignedDocument)) == 0
    assert db.session.scalar(select(func.count()).select_from(TabletSession)) == 0
    certificate = db.session.get(PrivacyRequest, request.id).certificate
    assert certificate["deleted"]["signed_documents"] == 1
    page = owner.get(f"/privacy/requests/{request.id}").get_data(as_text=True)
    assert "signed forms with their PDFs and signatures: 1" in page
    proof = db.session.scalars(select(ConsentLog).where(ConsentLog.channel == "health")).one()
    assert proof.customer_id is None and proof.document_id is None and proof.email_hash  # the proof stays, as a hash
    signed_events = select(AuditEvent).where(AuditEvent.action.in_(("form_signed", "tablet_updated")))
    events = db.session.scalars(signed_events).all()
    assert events and all(event.summary == "[gelöscht]" for event in events)
