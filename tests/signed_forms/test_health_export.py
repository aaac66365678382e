"""The bulk export leaves health answers out unless they are chosen on purpose in step 2, with
the warning confirmed, by a login that may read health data; withdrawn consents stay out."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import delete

from portal.audit import Actor
from portal.exports.build import run_export
from portal.extensions import db
from portal.models import Customer, CustomerExport, OutboundEmail
from portal.signed_forms.documents import withdraw_health
from tests import factories
from tests.exports.test_exports import ADMIN_PASSWORD, _confirm_link, _download_link, _grant_export
from tests.signed_forms.helpers import signed_by_service

FIELDS = ["id", "last_name", "health_answers"]


def _step2(client, export_id: int, fields, file_format="csv", confirmed=False):
    data = {"fields": fields, "file_format": file_format}
    if confirmed:
        data["health_confirmed"] = "y"
    return client.post(f"/settings/exports/{export_id}/step/2", data=data)


def _export(salon, login_as, client, file_format: str) -> bytes:
    db.session.execute(delete(OutboundEmail))
    db.session.commit()
    owner = login_as(salon.owner)
    export_id = int(owner.post("/settings/exports").headers["Location"].split("/")[3])
    owner.post(f"/settings/exports/{export_id}/step/1", data={"recipient": salon.admin.id})
    assert _step2(owner, export_id, FIELDS, file_format, confirmed=True).status_code == 302
    owner.post(f"/settings/exports/{export_id}/step/3")
    client.post(_confirm_link(), data={"password": ADMIN_PASSWORD})
    assert run_export(export_id) == "finished"
    return login_as(salon.admin, password=ADMIN_PASSWORD).post(_download_link()).data


def test_health_answers_only_on_purpose_and_never_withdrawn_ones(salon, login_as, client):
    _grant_export(salon)
    nickel = factories.make_customer(salon.account, "Nickel", "Nina")
    signed_by_service(salon, nickel, {"first_name": "Nina", "last_name": "Nickel", "allergies": "Nickel"})
    withdrawn = factories.make_customer(salon.account, "Zurück", "Zora")
    signed_by_service(salon, withdrawn, {"first_name": "Zora", "last_name": "Zurück", "allergies": "Latex"})
    withdraw_health(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, withdrawn), "oral")
    db.session.commit()

    owner = login_as(salon.owner)
    export_id = int(owner.post("/settings/exports").headers["Location"].split("/")[3])
    page = owner.get(f"/settings/exports/{export_id}/step/2").get_data(as_text=True)
    assert 'value="health_answers" data-not-in-select-all' in page and "special-category data" in page
    refused = _step2(owner, export_id, FIELDS)
    assert refused.status_code == 422 and "Please confirm that the export needs them" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CustomerExport, export_id).fields == []
    # An administrator without the right "Read health data" is not offered the field at all.
    admin = login_as(salon.admin, password=ADMIN_PASSWORD)
    salon.admin.extra_permissions = ["customer.export"]
    db.session.commit()
    other = int(admin.post("/settings/exports").headers["Location"].split("/")[3])
    assert "health_answers" not in admin.get(f"/settings/exports/{other}/step/2").get_data(as_text=True)
    assert _step2(admin, other, FIELDS, confirmed=True).status_code == 422

    rows = list(csv.reader(io.StringIO(_export(salon, login_as, client, "csv").decode("utf-8-sig"), newline="")))
    body = {row[1]: row for row in rows[1:]}
    assert rows[0][2] == "Health answers from signed forms (Art. 9 GDPR)"
    assert "Nickel" in body["Nickel"][2] and body["Zurück"][2] == ""
    sheet = load_workbook(io.BytesIO(_export(salon, login_as, client, "xlsx"))).active
    cells = {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Nickel" in cells["Nickel"] and cells["Zurück"] in ("", None)
