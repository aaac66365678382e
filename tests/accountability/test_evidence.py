"""The evidence pack: built by a real worker step by step, every document in it, no customer's
name anywhere (the erasure certificate carries the request number), a link for the owner who
asked that works once; the accountant cannot start one, another salon's pack is a 404."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import EvidencePack, PrivacyRequest, Processor
from portal.models.base import clock_at
from tests import factories
from tests.conftest import run_worker_burst
from tests.privacy.helpers import erasure_confirmation, link_path

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _text_of(name: str, content: bytes) -> str:
    if name.endswith(".pdf") and not name.startswith("2-"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if name.endswith(".docx"):
        document = Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return " ".join([p.text for p in document.paragraphs] + cells)
    return content.decode("utf-8", errors="replace")


def _salon_with_history(salon, login_as):
    """What a salon has after some months, made through its own pages."""
    factories.privacy_settings(salon, controller_email="kontakt@salon-a.de", authority_code="BE")
    owner = login_as(salon.owner)
    customer_id = factories.make_customer(salon.account, "Zimtstern", "Agathe", email="agathe@example.com")
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "phone", "location_id": salon.location.id},
    )
    request_id = db.session.scalars(select(PrivacyRequest.id)).one()
    owner.post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
    owner.post(
        "/settings/privacy/processors/new", data={"name": "Newsletter Inc.", "service": "Newsletter", "region": "eu"}
    )
    processor_id = db.session.scalar(select(Processor.id).where(Processor.name == "Newsletter Inc."))
    owner.post(
        f"/settings/privacy/processors/{processor_id}/dpa",
        data={"dpa_file": (io.BytesIO(PDF), "av.pdf")},
        content_type="multipart/form-data",
    )
    with clock_at(datetime(2026, 12, 6, 12, tzinfo=ZoneInfo("Europe/Berlin"))):
        owner.post(
            "/settings/privacy/breaches/new",
            data={
                "occurred_at": "2026-12-05T22:30",
                "aware_at": "2026-12-06T09:15",
                "description": "Tablet gestohlen",
                "data_categories": "Namen",
                "people_affected": "40",
            },
        )
    owner.post("/settings/privacy/measures/screen_lock", data={"done": "y", "note": "nach 2 Minuten"})
    return owner, customer_id, request_id


def test_the_pack_holds_every_document_and_names_no_customer(salon, login_as, worker_env, mails):
    owner, customer_id, request_id = _salon_with_history(salon, login_as)
    page = owner.get("/settings/privacy/evidence").get_data(as_text=True)
    assert "the breach register" in page
    owner.post("/settings/privacy/evidence")
    again = owner.post("/settings/privacy/evidence", follow_redirects=True)
    assert "is being built already" in again.get_data(as_text=True)
    assert run_worker_burst(worker_env, "exports").returncode == 0
    db.session.expire_all()
    pack = db.session.scalars(select(EvidencePack)).one()
    assert (pack.status, pack.steps_done, pack.steps_total) == ("done", 8, 8)
    assert run_worker_burst(worker_env, "emails").returncode == 0
    link = next(
        link for m in mails() if m.to == salon.owner.email for link in m.links if "/evidence/downloads/" in link
    )
    assert "Download" in owner.get(link_path(link)).get_data(as_text=True)  # GET uses nothing up
    response = owner.post(link_path(link))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert owner.post(link_path(link)).status_code == 410  # once only

    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    for expected in (
        "LIESMICH.txt",
        "1-verarbeitungsverzeichnis/verzeichnis.pdf",
        "1-verarbeitungsverzeichnis/verzeichnis.docx",
        "1-verarbeitungsverzeichnis/versionen.csv",
        "2-auftragsverarbeiter/auftragsverarbeiter.csv",
        "3-tom/massnahmen.csv",
        f"4-datenschutzerklaerungen/{salon.location.id}-Salon-A-Mitte.html",
        "5-anfragen/statistik.csv",
        f"6-loeschbestaetigungen/anfrage-{request_id}.json",
        "7-datenpannen/datenpannen.csv",
        "8-einstellungsverlauf/verlauf.csv",
    ):
        assert expected in names, expected
    assert any(n.startswith("2-auftragsverarbeiter/av-vertrag-") and n.endswith("Newsletter-Inc.pdf") for n in names)
    texts = {name: _text_of(name, archive.read(name)) for name in names}
    for name, text in texts.items():
        for trace in ("Zimtstern", "Agathe", "agathe@example.com", f"K-{customer_id}"):
            assert trace not in text, (name, trace)
    assert f'"request": "#{request_id}"' in texts[f"6-loeschbestaetigungen/anfrage-{request_id}.json"]
    statistics = texts["5-anfragen/statistik.csv"].splitlines()
    assert statistics[1] == "Löschung,1,1,0,0,0"
    assert "Tablet gestohlen" in texts["7-datenpannen/datenpannen.csv"]
    assert "nach 2 Minuten" in texts["3-tom/massnahmen.csv"]
    assert "Newsletter Inc." in texts["2-auftragsverarbeiter/auftragsverarbeiter.csv"]
    assert "Verzeichnis von Verarbeitungstätigkeiten" in texts["1-verarbeitungsverzeichnis/verzeichnis.pdf"]
    assert "kontakt@salon-a.de" in texts[f"4-datenschutzerklaerungen/{salon.location.id}-Salon-A-Mitte.html"]
    assert "Auftragsverarbeiter" in texts["8-einstellungsverlauf/verlauf.csv"]


def test_only_the_owner_who_asked_downloads_and_the_accountant_cannot_start(
    salon, other_salon, login_as, worker_env, mails
):
    owner = login_as(salon.owner)
    owner.post("/settings/privacy/evidence")
    assert run_worker_burst(worker_env, "exports", "emails").returncode == 0
    link = next(link for m in mails() for link in m.links if "/evidence/downloads/" in link)
    pack = db.session.scalars(select(EvidencePack)).one()
    admin = login_as(salon.admin)
    assert admin.get(link_path(link)).status_code in (403, 410)  # the link is the owner's
    accountant = login_as(salon.accountant)
    assert accountant.post("/settings/privacy/evidence").status_code == 403
    stranger = login_as(other_salon.owner)
    assert stranger.get(f"/settings/privacy/evidence/{pack.id}/progress").status_code == 404
    assert stranger.get(link_path(link)).status_code == 410
    assert len(db.session.scalars(select(EvidencePack)).all()) == 1
