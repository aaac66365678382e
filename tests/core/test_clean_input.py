"""Text is clean at the door and no stored character breaks an export: every form field gets
every control character; the customer form through HTTP on both databases (a NUL is no 500 on
PostgreSQL); every export format opens with the result, and with data stored before the
cleaning existed; numbers that are no numbers are refused."""

from __future__ import annotations

import csv
import importlib
import io
import pkgutil
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, PasswordField, TextAreaField

import portal
from portal.extensions import db
from portal.models import BonusProgram, Customer, Invoice
from portal.models.base import utcnow
from portal.web.clean_text import clean_text
from portal.web.forms import PortalForm
from tests import factories
from tests.exports.test_exports import _build

CONTROL = "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]) + "\u2028\u2029\ufffe\uffff"
ALLOWED_IN_TEXT = {"\n", "\t"}  # multi-line fields only; single-line fields keep none


@pytest.fixture
def service(salon):
    return factories.make_service(salon.account, "Damenhaarschnitt", 4900)


@pytest.mark.parametrize(
    ("raw", "multiline", "clean"),
    [
        ("Zeile aus Word\x0bzweite Zeile", True, "Zeile aus Word\nzweite Zeile"),
        ("Zeile aus Word\x0bzweite Zeile", False, "Zeile aus Word zweite Zeile"),
        ("Seite\x0cneu", True, "Seite\nneu"),
        ("a\r\nb\rc", True, "a\nb\nc"),
        ("Tab\tgetrennt", True, "Tab\tgetrennt"),
        ("Tab\tgetrennt", False, "Tab getrennt"),
        ("Mu\u0308ller", False, "Müller"),  # NFC: the Mac's combining umlaut
        ("M%FCller", False, "Müller"),  # Latin-1 percent-escape from an old form
        ("50%25 Rabatt %C3%BC", False, "50%25 Rabatt %C3%BC"),  # valid UTF-8 escapes were typed as such
        ("N\x00U\x07L\x1bL\x7f\x9f", False, "NULL"),
    ],
)
def test_clean_text(raw, multiline, clean):
    assert clean_text(raw, multiline=multiline) == clean


def _portal_forms() -> list[type[PortalForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name.endswith(("forms", "views")) and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, todo = [], list(PortalForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_text_field_of_every_form_drops_every_control_character(app):
    forms = _portal_forms()
    assert len(forms) >= 30  # all of the portal's forms, not a sample
    checked = 0
    with app.test_request_context():
        for form_class in forms:
            probe = form_class(formdata=MultiDict(), meta={"csrf": False})
            names = [
                f.name
                for f in probe
                if not isinstance(f, FieldList | FormField | PasswordField)
                and f.type in ("StringField", "TextAreaField", "EmailField", "HiddenField", "MoneyField")
            ]
            data = MultiDict({name: f"A{CONTROL}B" for name in names})
            form = form_class(formdata=data, meta={"csrf": False})
            for name in names:
                field = form[name]
                kept = set(field.raw if field.type == "MoneyField" else field.data) & set(CONTROL)
                allowed = ALLOWED_IN_TEXT if isinstance(field, TextAreaField) else set()
                assert kept <= allowed, (form_class.__name__, name, kept)
                checked += 1
    assert checked >= 50


NOTE = "Zeile aus Word\x0bzweite Zeile\x00"


def test_customer_form_stores_clean_text_and_every_export_opens(salon, login_as, client):
    owner = login_as(salon.owner)
    created = owner.post(
        "/customers/new",
        data={"first_name": "Jo\x00sé\u0301", "last_name": "Mül\x1bler\x0b", "country": "DE", "notes": NOTE},
    )
    assert created.status_code == 302  # no 500 on PostgreSQL, which refuses NUL
    customer = db.session.scalars(select(Customer)).one()
    assert (customer.first_name, customer.last_name, customer.notes) == (
        "José́",
        "Müller",
        "Zeile aus Word\nzweite Zeile",
    )
    assert customer.first_name == clean_text("Jo\x00sé\u0301")
    for file_format in ("csv", "csv_de", "xlsx"):
        _export_id, data = _build(salon, login_as, client, ["last_name", "notes"], file_format)
        rows = _rows(data, file_format)
        assert rows[1] == ["Müller", "Zeile aus Word\nzweite Zeile"], file_format


def _rows(data: bytes, file_format: str) -> list[list[str]]:
    if file_format == "xlsx":
        return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    delimiter = ";" if file_format == "csv_de" else ","
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_xlsx_export_survives_control_characters_stored_before_the_cleaning(salon, login_as, client):
    # Written by the service directly, as every customer saved before this release was.
    factories.make_customer(salon.account, "Alt", notes="Zeile aus Word\x0bzweite\x01Zeile")
    _export_id, data = _build(salon, login_as, client, ["last_name", "notes"], "xlsx")
    assert _rows(data, "xlsx")[1] == ["Alt", "Zeile aus Wordzweite" + "Zeile"]


def test_latin1_percent_escape_is_read_as_the_letter_meant(salon, login_as):
    owner = login_as(salon.owner)
    response = owner.post(
        "/customers/new", data=b"last_name=M%FCller&country=DE", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Customer.last_name)).one() == "Müller"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1E+999999999", "99999999999999999999", "1e3"])
def test_numbers_that_are_no_numbers_are_refused_and_change_nothing(salon, login_as, service, number):
    owner = login_as(salon.owner)
    response = owner.post(
        "/settings/bonus-programs",
        data={
            "name": "Zehnerkarte",
            "reward": "Ein Schnitt gratis",
            "stamps_required": number,
            "service_ids": [service.id],
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert any(
        m in page for m in ("Between 1 and 50 stamps.", "This number is too large.", "Not a valid integer value.")
    )
    assert db.session.scalar(select(func.count()).select_from(BonusProgram)) == 0
    visit = factories.book(
        salon, factories.make_customer(salon.account, "Zahl"), utcnow() - timedelta(minutes=50), service
    )
    sale = owner.post(
        f"/appointments/{visit.id}/checkout",
        data={
            "location_id": salon.location.id,
            "lines-0-kind": "service",
            "lines-0-service_id": number,
            "lines-0-quantity": number,
            "method": "cash",
            "key": "k1",
        },
        headers={"Accept-Language": "en"},
    )
    assert sale.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
