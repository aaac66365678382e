"""The import from upload to customers, through the wizard's routes: a German Windows-1252 file,
UTF-8 with BOM, XLSX; what is guessed; what becomes of consents and visits."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from portal import activity
from portal.audit import Actor
from portal.customers.service import add_field_definition
from portal.extensions import db
from portal.imports.mapping import guess
from portal.messaging import eligibility
from portal.models import AuditEvent, ConsentLog, Customer, CustomerFieldValue, CustomerImport
from portal.requests.access import collect
from tests import factories
from tests.imports.helpers import checked, confirmed_and_run, german_csv, import_id_of, upload

ROWS = [
    '4711;Müßig;Jördis;JOERDIS@example.com;0170 1234567;03.02.1985;Hauptstraße 1;01067;Dresden;"Allergie: Nickel\r\nmag Tee";ja;12.03.2017;28.06.2023',
    "4712;Böhm;Ärne;;+49 171 7654321;1990-12-24;;04109;Leipzig;;nein;;",
    "4713;Weiß;Zoë;zoe@example.com;;31778;;;;;;;",
]


def _customers(account_id):
    return {c.last_name: c for c in db.session.scalars(select(Customer).where(Customer.account_id == account_id))}


def test_a_german_windows_file_round_trips(salon, login_as):
    client = login_as(salon.owner)
    response = upload(client, german_csv(ROWS))
    assert response.status_code == 302
    import_id = import_id_of(response)
    imp = db.session.get(CustomerImport, import_id)
    assert (imp.file_format, imp.encoding, imp.delimiter) == ("csv", "cp1252", ";")
    assert imp.mapping == [
        "legacy_number", "last_name", "first_name", "email", "phone", "birthday", "street", "postal_code",
        "city", "notes", "consent_email", "consent_date", "last_visit",
    ]  # fmt: skip
    page = client.get(f"/customers/import/{import_id}").get_data(as_text=True)
    assert "Müßig" in page and "Windows-1252" in page

    imp = checked(client, import_id)
    assert imp.counts["valid"] == 3 and imp.counts["invalid"] == 0
    page = client.get(f"/customers/import/{import_id}").get_data(as_text=True)
    assert "Import now" in page and 'data-confirm-value="3-0"' in page

    imp = confirmed_and_run(client, imp, new=3)
    assert imp.counts["new"] == 3 and imp.file_deleted_at is not None
    customers = _customers(salon.account.id)
    muessig = customers["Müßig"]
    assert (muessig.first_name, muessig.email, muessig.phone) == ("Jördis", "joerdis@example.com", "+491701234567")
    assert muessig.birthday == date(1985, 2, 3) and muessig.postal_code == "01067"
    assert muessig.notes == "Allergie: Nickel\nmag Tee"  # the quoted line break kept
    assert (muessig.legacy_number, muessig.import_source, muessig.legacy_last_visit_on) == (
        "4711",
        "Shore",
        date(2023, 6, 28),
    )
    assert customers["Böhm"].birthday == date(1990, 12, 24) and customers["Böhm"].first_name == "Ärne"
    assert customers["Weiß"].birthday == date(1987, 1, 1)  # an Excel serial number (31778)
    # The import is the activity (the definition says so), and each customer has a history entry.
    for customer in customers.values():
        assert customer.imported_at is not None
        assert customer.last_activity_at == activity.computed(customer.id) == customer.imported_at
    # Their history entry is the import's: one in the settings history, not 100,000 in the
    # customer log; the customer file names where the customer came from and who imported it.
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.customer_id.is_not(None))) == 0
    )
    # Consents from the file: logged as imported, with the source and the day given; no text version.
    log = db.session.scalars(select(ConsentLog).where(ConsentLog.customer_id == muessig.id)).one()
    assert (log.channel, log.status, log.method, log.source, log.given_on, log.text_version) == (
        "email", "granted", "import", "Shore", date(2017, 3, 12), "",
    )  # fmt: skip
    assert (
        db.session.scalar(
            select(func.count()).select_from(ConsentLog).where(ConsentLog.customer_id == customers["Böhm"].id)
        )
        == 0
    )
    # The customer file and the settings history say it in words.
    file = client.get(f"/customers/{muessig.id}/history").get_data(as_text=True)
    assert "from Shore · number there: 4711 · by owner Salon A" in file and "Jun 28, 2023" in file
    messages = client.get(f"/customers/{muessig.id}/messages").get_data(as_text=True)
    assert "imported from the previous software · Shore, given there on Mar 12, 2017" in messages
    # The access package holds the origin too (Art. 15: where the data came from).
    package = collect(muessig)
    assert (package["subject"]["import_source"], package["subject"]["legacy_number"]) == ("Shore", "4711")
    assert package["consent_log"][0]["given_on"] == "2017-03-12" and package["consent_log"][0]["source"] == "Shore"
    settings = client.get("/history/settings").get_data(as_text=True)
    assert "started a customer import" in settings and "has finished" in settings


def test_utf8_with_bom_and_commas(salon, login_as):
    client = login_as(salon.owner)
    data = german_csv(
        ["Müller,Anna,anna@example.com", "Öztürk,Ömer,omer@example.com"],
        "Name,Vorname,Email",
        bom=True,
        encoding="utf-8",
    )
    imp = db.session.get(CustomerImport, import_id_of(upload(client, data)))
    assert (imp.encoding, imp.delimiter, imp.mapping) == ("utf-8-sig", ",", ["last_name", "first_name", "email"])
    imp = checked(client, imp.id)
    confirmed_and_run(client, imp, new=2)
    assert set(_customers(salon.account.id)) == {"Müller", "Öztürk"}


def test_xlsx_with_dates_numbers_and_a_formula_kept_as_text(salon, login_as):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nachname", "Vorname", "Geburtsdatum", "PLZ", "Telefon", "Notiz"])
    sheet.append(
        ["Sommer", "Greta", date(1979, 5, 17), 1067, "0170 5556667", '=HYPERLINK("http://evil.example","klick")']
    )
    sheet.append(["Winter", "Kai", 29000, "10115", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    client = login_as(salon.owner)
    # Named .csv by mistake: the content decides.
    imp = db.session.get(CustomerImport, import_id_of(upload(client, buffer.getvalue(), filename="kunden.csv")))
    assert imp.file_format == "xlsx"
    imp = checked(client, imp.id)
    confirmed_and_run(client, imp, new=2)
    customers = _customers(salon.account.id)
    sommer = customers["Sommer"]
    assert sommer.birthday == date(1979, 5, 17) and sommer.postal_code == "01067" and sommer.phone == "+491705556667"
    assert sommer.notes == '=HYPERLINK("http://evil.example","klick")'  # text, never evaluated
    assert customers["Winter"].birthday == date(1979, 5, 25)  # Excel serial 29000


def test_german_and_english_headers_are_guessed():
    headers = [
        "Kundennummer",
        "Name",
        "Vorname",
        "E-Mail-Adresse",
        "Telefon",
        "Handy",
        "Geb.-Datum",
        "Straße",
        "PLZ",
        "Wohnort",
        "Land",
        "Bemerkung",
        "SMS-Werbung",
        "Letzter Termin",
        "Lieblingsfarbe",
    ]
    assert guess(headers, []) == [
        "legacy_number", "last_name", "first_name", "email", "ignore", "phone", "birthday", "street",
        "postal_code", "city", "country", "notes", "consent_sms", "last_visit", "ignore",
    ]  # fmt: skip
    assert guess(["Name", "E-Mail"], []) == ["full_name", "email"]  # "Name" alone is the whole name
    assert guess(["First name", "Last name", "Mobile", "Date of birth", "Zip"], []) == [
        "first_name", "last_name", "phone", "birthday", "postal_code",
    ]  # fmt: skip


def test_own_fields_are_mapped_by_their_label_and_checked(salon, login_as):
    actor = Actor(salon.account.id, salon.owner.id)
    recipe = add_field_definition(actor, "Farbrezeptur", "text", [])
    hair = add_field_definition(actor, "Haartyp", "choice", ["fein", "kräftig"])
    client = login_as(salon.owner)
    data = german_csv(["Sommer;6/0 + 20 ml 6%;Fein", "Winter;;lockig"], "Nachname;Farbrezeptur;Haartyp")
    imp = db.session.get(CustomerImport, import_id_of(upload(client, data)))
    assert imp.mapping == ["last_name", f"custom:{recipe.id}", f"custom:{hair.id}"]
    imp = checked(client, imp.id)
    assert imp.counts == {"valid": 1, "invalid": 1, "issues": 1}
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "This field has no such choice. The choices are: fein, kräftig" in page
    confirmed_and_run(client, imp, new=1)
    values = dict(db.session.execute(select(CustomerFieldValue.field_id, CustomerFieldValue.value)).all())
    assert values == {recipe.id: "6/0 + 20 ml 6%", hair.id: "fein"}


def test_imported_customers_are_eligible_by_their_import_and_consent(salon, login_as):
    """Activity comes from the import (imported_at), consent from the imported log entry: the
    consented customer may get the newsletter, the other one not (no consent), and neither is
    "inactive" although the old system's last visit lies years back."""
    factories.privacy_settings(salon, marketing_enabled=True)
    client = login_as(salon.owner)
    imp = db.session.get(CustomerImport, import_id_of(upload(client, german_csv(ROWS[:2]))))
    confirmed_and_run(client, checked(client, imp.id), new=2)
    location = salon.location
    reasons = {
        c.last_name: eligibility.reason_for(c, location, "email", "newsletter", salon.account.today())
        for c in _customers(salon.account.id).values()
    }
    assert reasons == {"Müßig": None, "Böhm": "no_contact"}
    sms = {
        c.last_name: eligibility.reason_for(c, location, "sms", "newsletter", salon.account.today())
        for c in _customers(salon.account.id).values()
    }
    assert sms == {"Müßig": "no_consent", "Böhm": "no_consent"}
