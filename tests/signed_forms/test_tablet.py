"""Tablet mode end to end through the pages: hand-over with a PIN, the customer signs, the
document proves what was shown; nothing else is reachable and leaving needs a PIN."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.audit import Actor
from portal.extensions import db
from portal.models import AuditEvent, ConsentLog, Customer, SignedDocument, TabletSession
from portal.signed_forms import designer
from tests import factories
from tests.signed_forms.helpers import (
    STROKES,
    current_version_id,
    hand_over,
    intake_form,
    open_tablet,
    sign_data,
    sign_on_tablet,
)

ANSWERS = {"first_name": "Erika", "last_name": "Muster", "phone": "0170 1234567", "allergies": "Nickel"}


def _documents() -> int:
    return db.session.scalar(select(func.count()).select_from(SignedDocument))


def test_the_customer_signs_the_intake_form_and_the_file_holds_the_proof(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika")
    form = intake_form(salon)
    client = login_as(salon.staff)
    document_id = sign_on_tablet(client, salon, form.id, customer_id, ANSWERS, consents=("email", "health"))

    document = db.session.get(SignedDocument, document_id)
    assert document.customer_id == customer_id and document.employee_id == salon.employee.id
    assert document.answers["allergies"] == "Nickel" and document.consents == {
        "email": True,
        "sms": False,
        "photo": False,
        "health": True,
    }
    assert document.pdf_sha256 == hashlib.sha256(document.pdf).hexdigest()
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(document.pdf)).pages)
    assert "Erika Muster" in text and "Nickel" in text and document.version.sha256 in text.replace("\n", "")
    assert document.signature_svg.startswith("<svg") and document.signature_strokes == STROKES
    # The customer's own entry reached the file, with a history entry naming the tablet.
    customer = db.session.get(Customer, customer_id)
    assert customer.phone == "+491701234567"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.customer_id == customer_id, AuditEvent.action == "tablet_updated")
    ).one()
    assert event.changes["phone"]["new"] == "+491701234567" and event.employee_id == salon.employee.id
    # Consents: the log says "signed form", the form's version, the text's hash, the document.
    logs = db.session.scalars(select(ConsentLog).where(ConsentLog.customer_id == customer_id)).all()
    assert {(log.channel, log.status, log.method) for log in logs} == {
        ("email", "granted", "signed_form"),
        ("health", "granted", "signed_form"),
    }
    version = document.version
    assert all(log.text_version == f"F{form.id}.{version.number}" and log.document_id == document.id for log in logs)
    email_log = next(log for log in logs if log.channel == "email")
    assert email_log.text_hash == hashlib.sha256(version.content["consents"]["email"].encode()).hexdigest()
    # The customer file lists the document with the PDF's hash; the consent log says "signed form".
    owner = login_as(salon.owner)
    page = owner.get(f"/customers/{customer_id}/forms").get_data(as_text=True)
    assert document.pdf_sha256[:16] in page and "Neukundenaufnahme" in page
    messages = owner.get(f"/customers/{customer_id}/messages").get_data(as_text=True)
    assert "signed form" in messages and f"text F{form.id}.{version.number}" in messages
    assert f'href="/customers/{customer_id}/documents/{document.id}">the signed form</a>' in messages
    history = owner.get(f"/customers/{customer_id}/history").get_data(as_text=True)
    assert "The customer changed their data on the tablet (handed over by Employee" in history


def test_a_new_customer_fills_in_the_intake_form_and_is_created(salon, login_as):
    client = login_as(salon.staff)
    form = intake_form(salon)
    offered = client.get("/customers/new").get_data(as_text=True)
    assert "the customer fills in the intake form on the tablet" in offered and 'action="/tablet/start"' in offered
    answers = {"first_name": "Nora", "last_name": "Neu", "email": "Nora.Neu@Example.com"}
    document_id = sign_on_tablet(client, salon, form.id, None, answers)
    document = db.session.get(SignedDocument, document_id)
    customer = db.session.get(Customer, document.customer_id)
    assert (customer.first_name, customer.last_name, customer.email) == ("Nora", "Neu", "nora.neu@example.com")
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.customer_id == customer.id)).all() == [
        "tablet_created",
        "form_signed",
    ]


def test_in_tablet_mode_nothing_else_is_reachable_and_leaving_needs_a_pin(salon, login_as):
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    assert hand_over(client, salon, intake_form(salon).id, customer_id).headers["Location"].endswith("/tablet")
    for url in ("/", "/customers", f"/customers/{customer_id}", "/settings/", "/me", "/appointments", "/dev/outbox"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/tablet"), url
    htmx = client.get("/customers", headers={"HX-Request": "true"})
    assert htmx.headers.get("HX-Redirect", "").endswith("/tablet")
    logout = client.post("/logout")
    assert logout.headers["Location"].endswith("/tablet")
    page = client.get("/tablet")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'href="/customers' not in html and "mainnav" not in html
    # Without a PIN, or with a wrong one, the tablet stays in tablet mode.
    assert client.post("/tablet/take-back", data={"employee_id": salon.employee.id}).status_code == 422
    wrong = client.post("/tablet/take-back", data={"employee_id": salon.employee.id, "pin": "9999"})
    assert wrong.status_code == 422 and "The PIN is wrong" in wrong.get_data(as_text=True)
    assert client.get("/customers").headers["Location"].endswith("/tablet")
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "pin_failed")).all() == [
        "pin_failed"
    ]
    right = client.post("/tablet/take-back", data={"employee_id": salon.employee.id, "pin": factories.PIN})
    assert right.status_code == 302 and f"/customers/{customer_id}/forms" in right.headers["Location"]
    assert client.get("/customers").status_code == 200


def test_the_hand_over_needs_the_pin_and_a_form_of_the_own_salon(salon, other_salon, login_as):
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    refused = hand_over(client, salon, intake_form(salon).id, customer_id, pin="0000")
    assert refused.status_code == 302 and not refused.headers["Location"].endswith("/tablet")
    assert db.session.scalar(select(func.count()).select_from(TabletSession)) == 0
    foreign = hand_over(client, salon, intake_form(other_salon).id, customer_id)
    assert foreign.status_code == 302 and db.session.scalar(select(func.count()).select_from(TabletSession)) == 0
    assert client.get("/customers").status_code == 200  # not in tablet mode
    other_customer = factories.make_customer(other_salon.account)
    assert hand_over(client, salon, intake_form(salon).id, other_customer).status_code == 404


def test_a_double_tap_makes_one_document(salon, login_as):
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    hand_over(client, salon, intake_form(salon).id, customer_id)
    data = sign_data(open_tablet().version_id, ANSWERS, consents=("health",))
    assert client.post("/tablet/sign", data=data).status_code == 302
    again = client.post("/tablet/sign", data=data)
    assert again.status_code == 302 and _documents() == 1
    assert "Thank you" in client.get("/tablet").get_data(as_text=True)


def test_the_document_records_the_version_that_was_shown(salon, login_as):
    customer_id = factories.make_customer(salon.account)
    form = intake_form(salon)
    client = login_as(salon.staff)
    hand_over(client, salon, form.id, customer_id)
    shown = open_tablet().version_id
    # Meanwhile the owner changes the privacy text: a new version.
    content = designer.current_version(form).content
    raw = {**content, "privacy_text": content["privacy_text"] + "\nNeu: Wir nutzen ein Buchungssystem."}
    newer = designer.save_form(Actor(salon.account.id, salon.owner.id), form, raw, [], False)
    assert newer is not None and newer.id != shown
    assert client.post("/tablet/sign", data=sign_data(shown, ANSWERS, consents=("health",))).status_code == 302
    document = db.session.scalars(select(SignedDocument)).one()
    assert document.version_id == shown and current_version_id(form.id) == newer.id


def test_bad_signatures_and_answers_are_refused_and_change_nothing(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Muster", "Erika", phone="+491700000000")
    client = login_as(salon.staff)
    hand_over(client, salon, intake_form(salon).id, customer_id)
    version_id = open_tablet().version_id
    cases = {
        "empty": ([], "Please sign in the box"),
        "dot": ([[[100, 100], [100.4, 100.2]]], "Please sign in the box"),
        "tiny": (
            [[[100, 100], [102, 101], [104, 100], [105, 102], [106, 100], [107, 101], [108, 100], [109, 101]]],
            "too short",
        ),
        "huge": ([[[x % 500, x % 200] for x in range(7000)]], "could not be read"),
    }
    for name, (strokes, message) in cases.items():
        response = client.post("/tablet/sign", data=sign_data(version_id, ANSWERS, ("health",), strokes))
        assert response.status_code == 422 and message in response.get_data(as_text=True), name
    oversized = sign_data(version_id, ANSWERS, ("health",))
    oversized["signature"] = json.dumps(STROKES) + " " * 300_000
    assert client.post("/tablet/sign", data=oversized).status_code == 422
    # Health answers without the explicit consent: refused (Art. 9(2)(a)).
    no_consent = client.post("/tablet/sign", data=sign_data(version_id, ANSWERS))
    assert no_consent.status_code == 422 and "consent to health data" in no_consent.get_data(as_text=True)
    invalid = client.post(
        "/tablet/sign", data=sign_data(version_id, {**ANSWERS, "email": "kein-at", "birthday": "2999-01-01"})
    )
    page = invalid.get_data(as_text=True)
    assert invalid.status_code == 422 and "valid email address" in page and "valid date" in page
    assert 'value="Nickel"' not in page and ">Nickel</textarea>" in page  # the answers stay for correcting
    assert _documents() == 0 and db.session.get(Customer, customer_id).phone == "+491700000000"
    assert db.session.scalar(select(func.count()).select_from(ConsentLog)) == 0
    assert open_tablet().closed_at is None  # still open for a proper signature


def test_script_in_a_label_or_an_answer_is_shown_as_text(salon, login_as):
    owner = login_as(salon.owner)
    form = intake_form(salon)
    content = designer.current_version(form).content
    fields = [*content["fields"], {"label": "<script>alert(1)</script>", "type": "text"}]
    designer.save_form(Actor(salon.account.id, salon.owner.id), form, {**content, "fields": fields}, [], False)
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    hand_over(client, salon, form.id, customer_id)
    page = client.get("/tablet").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    key = [f for f in designer.current_version(form).content["fields"] if f["label"].startswith("<script")][0]["key"]
    answers = {**ANSWERS, key: '"><img src=x onerror=alert(2)>'}
    assert (
        client.post("/tablet/sign", data=sign_data(open_tablet().version_id, answers, ("health",))).status_code == 302
    )
    client.post("/tablet/take-back", data={"employee_id": salon.employee.id, "pin": factories.PIN})
    document = db.session.scalars(select(SignedDocument)).one()
    shown = owner.get(f"/customers/{customer_id}/documents/{document.id}").get_data(as_text=True)
    assert "<img src=x" not in shown and "&lt;img src=x onerror=alert(2)&gt;" in shown


def test_an_idle_tablet_closes_the_form(salon, login_as):
    customer_id = factories.make_customer(salon.account)
    client = login_as(salon.staff)
    hand_over(client, salon, intake_form(salon).id, customer_id)
    version_id = open_tablet().version_id
    assert client.post("/tablet/idle").status_code == 302
    page = client.get("/tablet").get_data(as_text=True)
    assert "Please hand the tablet back to the team" in page and 'name="field_' not in page
    refused = client.post("/tablet/sign", data=sign_data(version_id, ANSWERS, ("health",)))
    assert refused.status_code == 422 and _documents() == 0
    assert client.get("/customers").headers["Location"].endswith("/tablet")  # still locked


def test_a_tampered_record_number_in_the_hand_over_is_refused(salon, login_as):
    client = login_as(salon.staff)
    for field in ("customer_id", "appointment_id"):
        data = {
            "form_id": intake_form(salon).id,
            "customer_id": "",
            "appointment_id": "",
            "locale": "en",
            "employee_id": salon.employee.id,
            "pin": factories.PIN,
            field: "1 OR 1=1",
        }
        refused = client.post("/tablet/start", data=data, follow_redirects=True)
        assert refused.status_code == 200 and "Please choose from the lists." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TabletSession)) == 0
