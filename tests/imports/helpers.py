"""Building import files and walking the wizard through the portal's own routes."""

from __future__ import annotations

import io
import re

from portal.extensions import db
from portal.imports.check import check_import
from portal.imports.run import run_import
from portal.models import CustomerImport

GERMAN_HEADER = (
    "Kd-Nr;Nachname;Vorname;E-Mail;Mobil;Geburtstag;Straße;PLZ;Ort;Notizen;Newsletter;Einwilligung am;Letzter Besuch"
)


def german_csv(rows: list[str], header: str = GERMAN_HEADER, bom: bool = False, encoding: str = "cp1252") -> bytes:
    """A file as German salon software writes it: Windows-1252, semicolons, CRLF."""
    text = "\r\n".join([header, *rows]) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(client, data: bytes, filename: str = "kunden.csv", source: str = "Shore"):
    return client.post(
        "/customers/import",
        data={"file": (io.BytesIO(data), filename), "source_name": source},
        content_type="multipart/form-data",
    )


def import_id_of(response) -> int:
    return int(re.search(r"/customers/import/(\d+)", response.headers["Location"]).group(1))


def mapping_form(imp: CustomerImport, **overrides) -> dict:
    data = {f"col_{i}": target for i, target in enumerate(imp.mapping)}
    data["source_name"] = imp.source_name or "Shore"
    for header, target in overrides.items():
        data[f"col_{imp.headers.index(header)}"] = target
    return data


def checked(client, import_id: int, **overrides) -> CustomerImport:
    """Save the guessed mapping (with overrides by header) and run the check as the job would."""
    imp = db.session.get(CustomerImport, import_id)
    response = client.post(f"/customers/import/{import_id}/mapping", data=mapping_form(imp, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert check_import(import_id) == "checked"
    db.session.expire_all()
    return db.session.get(CustomerImport, import_id)


def confirmed_and_run(client, imp: CustomerImport, new: int, updated: int = 0) -> CustomerImport:
    response = client.post(f"/customers/import/{imp.id}/confirm", data={"confirm": f"{new}-{updated}"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert run_import(imp.id) == "finished"
    db.session.expire_all()
    return db.session.get(CustomerImport, imp.id)
