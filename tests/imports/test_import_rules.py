"""What the import refuses, how it treats duplicates, all or nothing, undo, the row report,
who may import, and that one salon never sees another's imports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import activity
from portal.extensions import db
from portal.imports import run as import_run
from portal.imports.maintenance import maintain
from portal.imports.run import run_import
from portal.models import (
    AuditEvent,
    ConsentLog,
    Customer,
    CustomerImport,
    ImportBlob,
    ImportIssue,
    ImportStatus,
    ImportUpdate,
)
from portal.models.base import utcnow
from tests import factories
from tests.imports.helpers import checked, confirmed_and_run, german_csv, import_id_of, mapping_form, upload


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _imported(client, rows, header="Nachname;Vorname;E-Mail;Mobil;Geburtstag"):
    return db.session.get(CustomerImport, import_id_of(upload(client, german_csv(rows, header))))


# --- bad files: a clear message, nothing kept ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "leer.csv", "The file is empty."),
        (b"Nachname;Vorname\r\n", "kopf.csv", "The file has only a header row and no customers."),
        (bytes(range(256)) * 40, "bild.csv", "This is no CSV or Excel file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "alt.xls", "Old Excel files (.xls) cannot be read."),
        (b"PK\x03\x04 not really a workbook", "kaputt.xlsx", "The file cannot be read."),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_words(salon, login_as, data, filename, message):
    client = login_as(salon.owner)
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(CustomerImport) == 0 and _count(ImportBlob) == 0


def test_a_file_over_50_mb_is_refused_and_a_missing_file_asked_for(salon, login_as):
    client = login_as(salon.owner)
    big = b"Nachname\r\n" + b"Sommer\r\n" * (51 * 1024 * 1024 // 8)
    response = upload(client, big)
    assert response.status_code == 422
    assert "larger than 50 MB" in response.get_data(as_text=True)
    response = client.post("/customers/import", data={"source_name": "Shore"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Please choose a file." in response.get_data(as_text=True)
    assert _count(CustomerImport) == 0


def test_a_mapping_with_a_field_twice_or_without_last_name_is_refused(salon, login_as):
    client = login_as(salon.owner)
    imp = _imported(client, ["Sommer;Greta;greta@example.com;;"])
    twice = client.post(f"/customers/import/{imp.id}/mapping", data=mapping_form(imp, Vorname="last_name"))
    assert "A field is chosen for two columns." in twice.get_data(as_text=True)
    none = client.post(f"/customers/import/{imp.id}/mapping", data=mapping_form(imp, Nachname="ignore"))
    assert "Please choose the column with the last name" in none.get_data(as_text=True)
    no_source = client.post(f"/customers/import/{imp.id}/mapping", data={**mapping_form(imp), "source_name": " "})
    assert "Please name the previous software" in no_source.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CustomerImport, imp.id).status == ImportStatus.UPLOADED


def test_row_errors_are_reported_by_row_and_column_and_those_rows_not_imported(salon, login_as):
    client = login_as(salon.owner)
    imp = _imported(
        client,
        [
            "Sommer;Greta;greta@example.com;0170 1234567;31.02.1990",  # no 31 February
            ";Ohne;ohne@example.com;;",  # no last name
            "Winter;Kai;kein-at-zeichen;;",  # not an email
            "Herbst;Ida;ida@example.com;12;",  # not a phone number
            "Frühling;Ole;ole@example.com;;01.01.2099",  # born in the future
            "Regen;Uwe;uwe@example.com;;1.1.1985",  # fine
        ],
    )
    imp = checked(client, imp.id)
    assert imp.counts["valid"] == 1 and imp.counts["invalid"] == 5
    issues = [
        (i.row_number, i.header, i.code)
        for i in db.session.scalars(select(ImportIssue).order_by(ImportIssue.row_number))
    ]
    assert issues == [
        (2, "Geburtstag", "invalid-date"),
        (3, "Nachname", "required-last-name"),
        (4, "E-Mail", "invalid-email"),
        (5, "Mobil", "invalid-phone"),
        (6, "Geburtstag", "future-date"),
    ]
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "This date does not exist." in page and "5 rows with errors" in page
    # Nothing is written before the confirmation.
    assert _count(Customer) == 0
    report = client.get(f"/customers/import/{imp.id}/report.csv").get_data(as_text=True)
    assert report.splitlines()[0] == "\ufeffRow;Column;Problem"
    assert "2;Geburtstag;This date does not exist." in report
    assert "greta" not in report.lower()  # the report names places, not people
    confirmed_and_run(client, imp, new=1)
    assert [c.last_name for c in db.session.scalars(select(Customer))] == ["Regen"]


def test_the_german_report_and_page_are_german(salon, login_as):
    salon.owner.locale = "de"
    db.session.commit()
    client = login_as(salon.owner)
    imp = checked(client, _imported(client, ["Sommer;Greta;greta@example.com;;31.02.1990", "Ok;Uwe;;;"]).id)
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "Dieses Datum gibt es nicht." in page and "Jetzt importieren" in page
    report = client.get(f"/customers/import/{imp.id}/report.csv").get_data(as_text=True)
    assert report.splitlines()[0] == "\ufeffZeile;Spalte;Problem"


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicates_against_the_file_and_within_it_skip_update_create(salon, login_as):
    existing = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com", notes="Stammkundin")
    client = login_as(salon.owner)
    imp = _imported(
        client,
        [
            "Sommer;Greta;GRETA@example.com;0170 1234567;",  # the existing customer, by email
            "Winter;Kai;kai@example.com;;",
            "Winter;Kai;kai@example.com;;",  # the row above again
            "Herbst;Ida;;;05.05.1980",
            "herbst;ida;;;05.05.1980",  # same name and birthday
        ],
    )
    imp = checked(client, imp.id)
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "3 possible duplicates" in page and "same email" in page and "same name and birthday" in page
    # Default: skip every duplicate.
    assert 'data-confirm-value="2-0"' in page
    duplicates = {d.row_number: d for d in imp_duplicates(imp)}
    assert duplicates[2].customer_id == existing and duplicates[4].other_row == 3 and duplicates[6].other_row == 5
    # Update the existing customer, create row 6 anyway, keep skipping row 4.
    response = client.post(
        f"/customers/import/{imp.id}/duplicates",
        data={
            "default_action": "skip",
            f"dup_{duplicates[2].id}": "update",
            f"dup_{duplicates[4].id}": "skip",
            f"dup_{duplicates[6].id}": "create",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert 'data-confirm-value="3-1"' in page
    # A stale confirmation (the numbers seen before) is refused.
    stale = client.post(f"/customers/import/{imp.id}/confirm", data={"confirm": "2-0"})
    assert "The numbers have changed" in stale.get_data(as_text=True)
    assert _count(Customer) == 1
    imp = confirmed_and_run(client, imp, new=3, updated=1)
    assert (imp.counts["new"], imp.counts["updated"], imp.counts["skipped"]) == (3, 1, 1)
    greta = db.session.get(Customer, existing)
    assert greta.phone == "+491701234567" and greta.notes == "Stammkundin"  # an empty cell changes nothing
    assert greta.email == "greta@example.com" and greta.imported_at is not None and greta.import_source == "Shore"
    assert greta.last_activity_at == activity.computed(existing)
    assert sorted(c.last_name for c in db.session.scalars(select(Customer))) == ["Herbst", "Sommer", "Winter", "herbst"]
    history = db.session.scalars(select(AuditEvent.action).where(AuditEvent.customer_id == existing)).all()
    assert "import_updated" in history


def imp_duplicates(imp):
    from portal.models import ImportDuplicate

    return db.session.scalars(select(ImportDuplicate).where(ImportDuplicate.import_id == imp.id)).all()


def test_a_row_like_an_earlier_row_cannot_update(salon, login_as):
    client = login_as(salon.owner)
    imp = checked(client, _imported(client, ["Winter;Kai;kai@example.com;;", "Winter;Kai;kai@example.com;;"]).id)
    client.post(f"/customers/import/{imp.id}/duplicates", data={"default_action": "update"})
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert 'data-confirm-value="1-0"' in page  # the second row is skipped, not "updating" nobody


# --- all or nothing ------------------------------------------------------------------------------


def _fail_after_two_batches(monkeypatch, error: BaseException):
    """Batches of 10, and the error after the second one was written; returns the real writer."""
    monkeypatch.setattr(import_run, "BATCH", 10)
    real = import_run._insert_new
    written = []

    def insert_then_fail(*args):
        real(*args)
        written.append(1)
        if len(written) == 2:
            raise error

    monkeypatch.setattr(import_run, "_insert_new", insert_then_fail)
    return real


def test_a_failure_half_way_writes_nothing_and_says_why(salon, login_as, monkeypatch):
    client = login_as(salon.owner)
    rows = [f"Kundin{n:03d};Eva;eva{n}@example.com;;" for n in range(25)]
    imp = checked(client, _imported(client, rows).id)
    _fail_after_two_batches(monkeypatch, RuntimeError("disk full"))
    client.post(f"/customers/import/{imp.id}/confirm", data={"confirm": "25-0"})
    assert run_import(imp.id) == "failed"
    db.session.expire_all()
    imp = db.session.get(CustomerImport, imp.id)
    assert imp.status == ImportStatus.FAILED and imp.error == "unexpected:RuntimeError"
    assert _count(Customer) == 0 and _count(AuditEvent, AuditEvent.category == "customer") == 0
    assert _count(ImportBlob) == 0  # the file is gone too (personal data)
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "An unexpected error (RuntimeError) stopped the import. Nothing was imported" in page
    settings = client.get("/history/settings").get_data(as_text=True)
    assert "failed; nothing was imported" in settings


def test_a_worker_killed_half_way_leaves_nothing_and_the_maintenance_runs_it_again(salon, login_as, monkeypatch):
    client = login_as(salon.owner)
    imp = checked(client, _imported(client, [f"Kundin{n:03d};Eva;;;" for n in range(25)]).id)
    real = _fail_after_two_batches(monkeypatch, SystemExit("work horse killed"))
    client.post(f"/customers/import/{imp.id}/confirm", data={"confirm": "25-0"})
    with pytest.raises(SystemExit):
        run_import(imp.id)
    db.session.rollback()
    assert _count(Customer) == 0
    monkeypatch.setattr(import_run, "_insert_new", real)
    assert run_import(imp.id) == "nothing-to-do"  # the same job delivered again: one run at a time
    imp = db.session.get(CustomerImport, imp.id, populate_existing=True)
    assert imp.status == ImportStatus.RUNNING
    from portal.imports import progress

    progress.clear(imp.id)  # the dead worker's heartbeat expired
    imp.heartbeat_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert maintain()["retried"] == 1
    assert run_import(imp.id) == "finished"
    assert run_import(imp.id) == "nothing-to-do"
    assert _count(Customer) == 25


# --- undo ----------------------------------------------------------------------------------------


def test_undo_removes_untouched_customers_reverts_updates_and_lists_the_rest(salon, login_as):
    service = factories.make_service(salon.account)
    factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    changed_since = factories.make_customer(salon.account, "Mond", "Max", email="max@example.com")
    client = login_as(salon.owner)
    imp = _imported(
        client,
        [
            "Sommer;Greta;greta@example.com;0170 1234567;",
            "Mond;Max;max@example.com;0171 7654321;",
            "Winter;Kai;kai@example.com;;",
            "Herbst;Ida;ida@example.com;;",
            "Regen;Uwe;uwe@example.com;;",
        ],
        header="Nachname;Vorname;E-Mail;Mobil;Newsletter",
    )
    imp = checked(client, imp.id, Newsletter="ignore")
    client.post(f"/customers/import/{imp.id}/duplicates", data={"default_action": "update"})
    imp = confirmed_and_run(client, imp, new=3, updated=2)
    ids = {c.last_name: c.id for c in db.session.scalars(select(Customer))}
    # Used since the import: Herbst got an appointment, Mond was changed by hand.
    factories.book(salon, ids["Herbst"], utcnow() + timedelta(days=2), service)
    from portal.audit import Actor
    from portal.customers.service import update_customer

    update_customer(
        Actor(salon.account.id, salon.owner.id), db.session.get(Customer, changed_since), {"city": "Bonn"}, {}
    )

    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "2 customers created by the import are removed" in page and 'data-confirm-value="2"' in page
    refused = client.post(f"/customers/import/{imp.id}/undo", data={"confirm": ""})
    assert refused.status_code == 422 and _count(Customer) == 5
    response = client.post(f"/customers/import/{imp.id}/undo", data={"confirm": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    remaining = {c.last_name: c for c in db.session.scalars(select(Customer))}
    assert set(remaining) == {"Sommer", "Mond", "Herbst"}
    greta = remaining["Sommer"]
    assert greta.phone is None and greta.imported_at is None and greta.import_source == ""  # as before the import
    assert greta.last_activity_at == activity.computed(greta.id)
    assert remaining["Mond"].phone == "+491717654321"  # changed since: kept as it is
    imp = db.session.get(CustomerImport, imp.id)
    assert imp.status == ImportStatus.UNDONE
    assert (imp.counts["removed"], imp.counts["reverted"], imp.counts["kept"]) == (2, 1, 2)
    page = client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    assert "Herbst" in page and "Mond" in page  # what could not be undone is named
    # Nothing names the removed customers any more.
    for name in ("Winter", "Regen", "kai@example.com", "uwe@example.com"):
        assert _count(AuditEvent, AuditEvent.summary.contains(name)) == 0
    assert _count(ConsentLog) == 0
    # Too late: the undo is refused after seven days.
    assert "undid a customer import" in client.get("/history/settings").get_data(as_text=True)


def test_undo_is_refused_after_seven_days(salon, login_as):
    client = login_as(salon.owner)
    imp = confirmed_and_run(client, checked(client, _imported(client, ["Winter;Kai;;;"]).id), new=1)
    imp.finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    response = client.post(f"/customers/import/{imp.id}/undo", data={"confirm": "1"})
    assert response.status_code == 422 and "within seven days" in response.get_data(as_text=True)
    assert _count(Customer) == 1


def test_maintenance_deletes_abandoned_files_old_reports_and_undo_data(salon, login_as):
    factories.make_customer(salon.account, "Sommer", "Greta", email="g@example.com")
    client = login_as(salon.owner)
    abandoned = _imported(client, ["Winter;Kai;;;"])
    done = checked(client, _imported(client, ["Sommer;Greta;g@example.com;0170 1234567;", "x;;kaputt;;"]).id)
    client.post(f"/customers/import/{done.id}/duplicates", data={"default_action": "update"})
    done = confirmed_and_run(client, done, new=0, updated=1)
    assert _count(ImportIssue, ImportIssue.import_id == done.id) == 1 and _count(ImportUpdate) == 1
    assert maintain()["abandoned"] == 0  # a day has not passed
    abandoned.created_at = utcnow() - timedelta(days=2)
    done.finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = maintain()
    assert (result["abandoned"], result["reports"], result["undo_data"]) == (1, 1, 1)
    assert db.session.get(CustomerImport, abandoned.id).status == ImportStatus.DISCARDED
    assert _count(ImportBlob) == 0 and _count(ImportIssue) == 0 and _count(ImportUpdate) == 0


# --- who may, and whose ---------------------------------------------------------------------------


def test_who_may_import(salon, login_as):
    for role, allowed in (("owner", True), ("admin", False), ("staff", False), ("accountant", False)):
        client = login_as(salon.login(role))
        assert (client.get("/customers/import").status_code == 200) is allowed, role
        response = upload(client, german_csv(["Winter;Kai;;;"]))
        assert (response.status_code == 302) is allowed, role
    # The owner can grant it to an administrator.
    salon.admin.extra_permissions = ["customer.import"]
    db.session.commit()
    assert login_as(salon.admin).get("/customers/import").status_code == 200


def test_another_salons_import_is_a_404(salon, other_salon, login_as):
    client = login_as(salon.owner)
    imp = checked(client, _imported(client, ["Winter;Kai;kai@example.com;;", "x;;kaputt;;"]).id)
    other = login_as(other_salon.owner)
    for path in ("", "/progress", "/report.csv"):
        assert other.get(f"/customers/import/{imp.id}{path}").status_code == 404
    for path in ("/mapping", "/confirm", "/undo", "/discard", "/duplicates", "/back", "/reading"):
        assert other.post(f"/customers/import/{imp.id}{path}", data={"confirm": "1-0"}).status_code == 404
    assert "Earlier imports" not in other.get("/customers/import").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CustomerImport, imp.id).status == ImportStatus.CHECKED


def test_an_erasure_discards_imports_still_waiting(salon, login_as):
    from portal.audit import Actor
    from portal.requests.erasure import erase_customers

    client = login_as(salon.owner)
    imp = checked(client, _imported(client, ["Winter;Kai;kai@example.com;;"]).id)
    victim = factories.make_customer(salon.account, "Sommer", "Greta")
    erase_customers(Actor(salon.account.id, salon.owner.id), salon.account.id, [victim])
    db.session.commit()
    imp = db.session.get(CustomerImport, imp.id, populate_existing=True)
    assert imp.status == ImportStatus.DISCARDED and imp.error == "erased-meanwhile"
    assert _count(ImportBlob) == 0
    assert "So that no erased person comes back with the file" in client.get(f"/customers/import/{imp.id}").get_data(
        as_text=True
    )


def test_a_person_erased_before_does_not_come_back_through_a_file(salon, login_as):
    from portal.audit import Actor
    from portal.messaging.consent import set_consent
    from portal.requests.erasure import erase_customers

    owner = Actor(salon.account.id, salon.owner.id)
    gone = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    set_consent(owner, db.session.get(Customer, gone), "email", "granted", "oral")
    erase_customers(owner, salon.account.id, [gone])
    db.session.commit()
    client = login_as(salon.owner)
    imp = checked(client, _imported(client, ["Sommer;Greta;GRETA@example.com;;", "Winter;Kai;kai@example.com;;"]).id)
    assert imp.counts["valid"] == 1 and imp.counts["invalid"] == 1
    issue = db.session.scalars(select(ImportIssue)).one()
    assert (issue.row_number, issue.header, issue.code) == (2, "E-Mail", "erased-before")
    assert "was erased earlier" in client.get(f"/customers/import/{imp.id}").get_data(as_text=True)
    confirmed_and_run(client, imp, new=1)
    assert [c.last_name for c in db.session.scalars(select(Customer))] == ["Winter"]


def test_the_row_report_neutralises_a_header_that_looks_like_a_formula(salon, login_as):
    client = login_as(salon.owner)
    data = german_csv(["Sommer;kaputt"], 'Nachname;=HYPERLINK("http://evil.example")')
    imp = db.session.get(CustomerImport, import_id_of(upload(client, data)))
    imp = checked(client, imp.id, **{'=HYPERLINK("http://evil.example")': "email"})
    report = client.get(f"/customers/import/{imp.id}/report.csv").get_data(as_text=True)
    assert report.splitlines()[1].startswith("2;\"'=HYPERLINK(") or report.splitlines()[1].startswith("2;'=HYPERLINK(")
