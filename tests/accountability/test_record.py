"""The record of processing activities: generated from what the salon set (a new version when an
own field or a processor is added), every activity with its legal basis and period and their
sources, PDF and DOCX that open (parsed back), the salon's notes and own activities (none
without a purpose), the accountant reading, another salon's entries a 404."""

from __future__ import annotations

import io

from docx import Document
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from portal.accountability import processing
from portal.extensions import db
from portal.models import RecordEntry, RecordVersion
from tests import factories


def _versions(account_id: int) -> list[RecordVersion]:
    db.session.expire_all()
    return db.session.scalars(
        select(RecordVersion).where(RecordVersion.account_id == account_id).order_by(RecordVersion.number)
    ).all()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def test_a_new_own_field_or_processor_makes_a_new_version(salon, login_as):
    owner = login_as(salon.owner)
    assert owner.get("/settings/privacy/record").status_code == 200
    first = _versions(salon.account.id)
    assert [v.number for v in first] == [1]
    assert owner.get("/settings/privacy/record").status_code == 200
    assert len(_versions(salon.account.id)) == 1  # nothing changed: no new version

    owner.post("/settings/customer-fields", data={"label": "Hautbild", "field_type": "text"})
    versions = _versions(salon.account.id)
    assert [v.number for v in versions] == [1, 2]
    appointments = next(a for a in versions[-1].content["activities"] if a["key"] == "appointments")
    assert appointments["own_fields"] == ["Hautbild"]

    owner.post(
        "/settings/privacy/processors/new",
        data={
            "name": "Newsletter Inc.",
            "service": "Newsletter",
            "region": "third_country",
            "country": "USA",
            "transfer_mechanism": "scc",
        },
    )
    versions = _versions(salon.account.id)
    assert [v.number for v in versions] == [1, 2, 3]
    page = owner.get("/settings/privacy/record").get_data(as_text=True)
    assert "Newsletter Inc.: USA (Standard contractual clauses (Art. 46 GDPR))" in page
    assert "Version 3 of" in page and "Hautbild" in page


def test_every_activity_names_its_legal_basis_and_period_with_the_source(salon, app):
    factories.privacy_settings(salon, marketing_enabled=True, controller_name="Salon A GmbH")
    content = processing.generate(salon.account.id)
    with app.test_request_context(), force_locale("de"):
        header, activities = processing.describe(content)
    assert dict(header)["Verantwortlicher"].startswith("Salon A GmbH")
    keys = [a.key for a in activities]
    assert keys == [a.key for a in processing.ACTIVITIES]  # marketing is on: both marketing activities
    for activity in activities:
        rows = dict(activity.rows)
        assert "Art. 6" in rows["Rechtsgrundlage"], activity.key
        assert rows["Löschfristen"] and rows["Löschfristen"] != "—", activity.key
    invoices = dict(next(a for a in activities if a.key == "invoices").rows)
    assert "§ 147 Abs. 1 Nr. 4, Abs. 3 AO" in invoices["Löschfristen"] and "8 Jahre" in invoices["Löschfristen"]
    assert "§ 147 AO" in invoices["Rechtsgrundlage"]
    appointments = dict(next(a for a in activities if a.key == "appointments").rows)
    assert "automatische Vergessen ist aus" in appointments["Löschfristen"]


def test_without_marketing_the_marketing_activities_are_left_out(salon):
    keys = [a["key"] for a in processing.generate(salon.account.id)["activities"]]
    assert "marketing_consent" not in keys and "appointments" in keys and "staff" in keys


def test_pdf_and_docx_open_in_both_languages(salon, login_as):
    accountant = login_as(salon.accountant)  # reads and downloads, never writes
    assert accountant.get("/settings/privacy/record").status_code == 200
    german_pdf = accountant.get("/settings/privacy/record/versions/1.pdf?lang=de")
    assert german_pdf.status_code == 200 and german_pdf.mimetype == "application/pdf"
    text = _pdf_text(german_pdf.data)
    assert "Verzeichnis von Verarbeitungstätigkeiten" in text and "Termine und Kundenakte" in text
    german_docx = accountant.get("/settings/privacy/record/versions/1.docx?lang=de")
    text = _docx_text(german_docx.data)
    assert "Verzeichnis von Verarbeitungstätigkeiten" in text and "Rechnungen und Buchhaltung" in text
    assert "§ 147 Abs. 1 Nr. 4, Abs. 3 AO" in text
    english = _docx_text(accountant.get("/settings/privacy/record/versions/1.docx?lang=en").data)
    assert "Record of processing activities" in english and "Invoices and bookkeeping" in english
    assert accountant.get("/settings/privacy/record/versions/9.pdf").status_code == 404
    assert accountant.post("/settings/privacy/record/notes/appointments", data={"note": "x"}).status_code == 403


def test_notes_and_own_activities_none_without_a_purpose(salon, other_salon, login_as):
    owner = login_as(salon.owner)
    owner.get("/settings/privacy/record")
    refused = owner.post("/settings/privacy/record/own/new", data={"name": "Papier-Terminbuch", "purpose": " "})
    assert refused.status_code == 422 and "an activity without a purpose" in refused.get_data(as_text=True)
    assert db.session.scalars(select(RecordEntry)).all() == [] and len(_versions(salon.account.id)) == 1

    owner.post(
        "/settings/privacy/record/own/new",
        data={
            "name": "Papier-Terminbuch",
            "purpose": "Termine am Telefon notieren",
            "legal_basis": "Art. 6 Abs. 1 lit. b DSGVO",
            "retention": "Ende des Folgejahres",
        },
    )
    owner.post("/settings/privacy/record/notes/appointments", data={"note": "Fotos nur mit Einwilligung"})
    assert owner.post("/settings/privacy/record/notes/nonsense", data={"note": "x"}).status_code == 404
    versions = _versions(salon.account.id)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[-1].content["own_activities"][0]["purpose"] == "Termine am Telefon notieren"
    page = owner.get("/settings/privacy/record").get_data(as_text=True)
    assert "Papier-Terminbuch" in page and "Fotos nur mit Einwilligung" in page
    entry = db.session.scalars(select(RecordEntry).where(RecordEntry.generated.is_(None))).one()
    stranger = login_as(other_salon.owner)
    assert stranger.get(f"/settings/privacy/record/own/{entry.id}").status_code == 404
    assert stranger.post(f"/settings/privacy/record/own/{entry.id}/delete").status_code == 404
    assert "Papier-Terminbuch" not in stranger.get("/settings/privacy/record").get_data(as_text=True)
