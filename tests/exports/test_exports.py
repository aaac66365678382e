"""Bulk customer export: wizard rules, confirmation by link and the recipient's password, the
streaming job (formula-safe CSV/XLSX, retry after a crash), and the single download."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select
from werkzeug.security import generate_password_hash

from portal.exports import writer
from portal.exports.build import maintain, run_export
from portal.exports.chunks import ChunkSink
from portal.extensions import db
from portal.models import CustomerExport, CustomerFieldDefinition, EmailToken, ExportChunk, Login, OutboundEmail
from portal.models.base import utcnow
from tests import factories
from tests.conftest import run_worker_burst
from tests.history.helpers import events
from tests.privacy.helpers import link_path

ADMIN_PASSWORD = "admin-only-password"
TRICKY = [
    ("Müller", "Jürgen", '=HYPERLINK("http://evil")', 'Zeile eins\nZeile zwei; mit "Anführung", Komma'),
    ("Ölmann", "Søren", "+49 170 1234567 @home", "-minus und\ttab"),
    ("Weiß", "Zoë", "@SUM(A1:A9)", "\rcarriage"),
    ("Tabbert", "Tim", "\tTab vorn", "a=b, +c"),  # a tab first; formula characters later stay as they are
]


def _grant_export(salon):
    salon.admin.password_hash = generate_password_hash(ADMIN_PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()


def _customers(salon):
    for last, first, street, notes in TRICKY:
        factories.make_customer(
            salon.account, last, first, street=street, notes=notes, email=f"{first.lower()}@example.com"
        )


def _wizard(client, recipient_id, fields, file_format="csv", repeat=False):
    response = client.post("/settings/exports")
    export_id = int(response.headers["Location"].split("/")[3])
    client.post(f"/settings/exports/{export_id}/step/1", data={"recipient": recipient_id})
    client.post(
        f"/settings/exports/{export_id}/step/2",
        data={"fields": fields, "file_format": file_format, **({"repeat_downloads": "1"} if repeat else {})},
    )
    client.post(f"/settings/exports/{export_id}/step/3")
    return export_id


def _confirm_link() -> str:
    db.session.expire_all()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "export_confirm")).one()
    return link_path(re.search(r"https?://\S+", mail.body_text).group(0))


def _download_link() -> str:
    db.session.expire_all()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "export_ready")).one()
    return link_path(re.search(r"https?://\S+", mail.body_text).group(0))


FIELDS = ["id", "first_name", "last_name", "street", "notes"]


def test_only_administrative_logins_are_offered_and_others_refused(salon, other_salon, login_as):
    owner = login_as(salon.owner)
    export_id = int(owner.post("/settings/exports").headers["Location"].split("/")[3])
    page = owner.get(f"/settings/exports/{export_id}/step/1").get_data(as_text=True)
    offered = set(re.findall(r'name="recipient" value="(\d+)"', page))
    assert offered == {str(salon.owner.id), str(salon.admin.id)}
    for tampered in (salon.staff.id, salon.accountant.id, other_salon.owner.id, 99999):
        response = owner.post(f"/settings/exports/{export_id}/step/1", data={"recipient": tampered})
        assert response.status_code == 422 and "only logins with administrative rights" in response.get_data(
            as_text=True
        )
    assert db.session.get(CustomerExport, export_id).recipient_login_id is None


def test_wizard_keeps_choices_going_back_and_refuses_bad_input(salon, login_as):
    owner = login_as(salon.owner)
    export_id = int(owner.post("/settings/exports").headers["Location"].split("/")[3])
    owner.post(
        f"/settings/exports/{export_id}/step/1", data={"recipient": salon.admin.id}, headers={"HX-Request": "true"}
    )
    response = owner.post(
        f"/settings/exports/{export_id}/step/2", data={"file_format": "csv"}, headers={"HX-Request": "true"}
    )
    assert "Please choose at least one field." in response.get_data(as_text=True)
    response = owner.post(
        f"/settings/exports/{export_id}/step/2", data={"fields": ["email", "password_hash"], "file_format": "csv"}
    )
    assert response.status_code == 422 and "One of the chosen fields does not exist." in response.get_data(as_text=True)
    owner.post(f"/settings/exports/{export_id}/step/2", data={"fields": ["email", "phone"], "file_format": "xlsx"})
    back = owner.get(f"/settings/exports/{export_id}/step/1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'value="{salon.admin.id}" checked' in back
    forward = owner.get(f"/settings/exports/{export_id}/step/2").get_data(as_text=True)
    assert (
        'value="email" checked' in forward and 'value="phone" checked' in forward and 'value="xlsx" checked' in forward
    )
    assert 'value="notes" checked' not in forward
    assert db.session.scalar(select(func.count()).select_from(EmailToken)) == 0  # nothing sent yet


def test_who_may_open_the_wizard(salon, login_as):
    for login in (salon.staff, salon.accountant, salon.admin):
        assert login_as(login).get("/settings/exports").status_code == 403
        assert login_as(login).post("/settings/exports").status_code == 403
    salon.admin.extra_permissions = ["customer.export"]
    db.session.commit()
    assert login_as(salon.admin).get("/settings/exports").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CustomerExport)) == 0


def test_confirmation_link_password_of_that_login_and_lock(salon, login_as, client):
    _grant_export(salon)
    export_id = _wizard(login_as(salon.owner), salon.admin.id, FIELDS)
    path = _confirm_link()
    assert client.get(path).status_code == 200  # GET changes nothing
    assert db.session.get(CustomerExport, export_id).status == "awaiting_confirmation"
    assert client.get(path[:-4] + "abcd").status_code == 410  # tampered
    # The owner's password does not count for the admin's export.
    response = client.post(path, data={"password": factories.PASSWORD}, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "The password is wrong." in response.get_data(as_text=True)
    for _ in range(3):
        client.post(path, data={"password": "still-wrong"})
    response = client.post(path, data={"password": "fifth-wrong"}, headers={"Accept-Language": "en"})
    assert response.status_code == 410 and "this export is locked" in response.get_data(as_text=True)
    # Locked: even the right password does nothing now.
    assert client.post(path, data={"password": ADMIN_PASSWORD}).status_code == 410
    db.session.expire_all()
    export = db.session.get(CustomerExport, export_id)
    assert (export.status, export.failed_attempts) == ("locked", 5)
    assert [e.action for e in events("export", entity_id=export_id)] == ["requested"] + ["confirmation_failed"] * 4 + [
        "locked"
    ]


def test_confirmation_link_expires_and_is_single_use(salon, login_as, client):
    _grant_export(salon)
    _wizard(login_as(salon.owner), salon.admin.id, FIELDS)
    path = _confirm_link()
    assert client.post(path, data={"password": ADMIN_PASSWORD}).status_code == 200
    assert client.post(path, data={"password": ADMIN_PASSWORD}).status_code == 410
    _wizard(login_as(salon.owner), salon.admin.id, FIELDS)
    token = db.session.scalars(
        select(EmailToken).where(EmailToken.used_at.is_(None), EmailToken.purpose == "export-confirm")
    ).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    from portal import tokens

    assert (
        client.post(f"/exports/confirm/{tokens.link_value(token)}", data={"password": ADMIN_PASSWORD}).status_code
        == 410
    )


def _finished_export(salon, login_as, client, fields=FIELDS, file_format="csv", repeat=False) -> int:
    """Through the wizard, confirmed by the admin's password, built: the download mail is queued."""
    _grant_export(salon)
    export_id = _wizard(login_as(salon.owner), salon.admin.id, fields, file_format, repeat)
    client.post(_confirm_link(), data={"password": ADMIN_PASSWORD})
    assert run_export(export_id) == "finished"
    return export_id


def _build(salon, login_as, client, fields, file_format):
    db.session.execute(delete(OutboundEmail))  # the mails of an earlier build in the same test
    db.session.commit()
    export_id = _finished_export(salon, login_as, client, fields, file_format)
    admin = login_as(salon.admin, password=ADMIN_PASSWORD)
    response = admin.post(_download_link())
    assert response.status_code == 200
    return export_id, response.data


def test_csv_round_trips_with_umlauts_line_breaks_and_neutralised_formulas(salon, login_as, client):
    _customers(salon)
    _export_id, data = _build(salon, login_as, client, FIELDS, "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Customer number", "First name", "Last name", "Street and number", "Notes"]
    body = {row[2]: row for row in rows[1:]}
    for last, first, street, notes in TRICKY:
        row = body[last]
        assert row[1] == first
        expected_street = "'" + street if street[0] in "=+-@\t\r" else street
        expected_notes = "'" + notes if notes[0] in "=+-@\t\r" else notes
        assert row[3] == expected_street and row[4] == expected_notes.replace("\r\n", "\n")
    assert body["Weiß"][4].startswith("'\r")  # carriage return neutralised too


def test_csv_own_fields_joined_per_customer_with_crlf_records_and_lf_inside_fields(salon, login_as, client):
    from portal.models import CustomerFieldValue

    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="recipe", label="Farbrezeptur")
    db.session.add(recipe)
    db.session.commit()
    values = {"Anna": "=7/0 + 7/1, 6 % Oxid\n30 Min.", "Berta": 'Igora "5-0"', "Clara": None}
    for first, value in values.items():
        factories.make_customer(salon.account, "Kunde", first, custom={str(recipe.id): value} if value else {})
    _export_id, data = _build(salon, login_as, client, ["first_name", f"custom:{recipe.id}"], "csv")
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == 4  # header and three records
    assert b"Oxid\n30 Min." in data  # a line break inside a field stays as it is
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [["Anna", "'=7/0 + 7/1, 6 % Oxid\n30 Min."], ["Berta", 'Igora "5-0"'], ["Clara", ""]]
    stored = db.session.scalar(
        select(func.count()).select_from(CustomerFieldValue).where(CustomerFieldValue.field_id == recipe.id)
    )
    assert stored == 2


def test_csv_empty_values_stay_empty_and_one_column_files_have_no_blank_lines(salon, login_as, client):
    factories.make_customer(salon.account, "Ohne", "Adresse")  # no email, no phone, never imported
    factories.make_customer(
        salon.account, "Mit", "Adresse", email="mit@example.com", phone="+491701234567", birthday=date(1990, 5, 17)
    )
    _export_id, data = _build(salon, login_as, client, ["last_name", "email", "phone", "imported_at"], "csv")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))}
    assert rows["Ohne"] == ["", "", ""] and rows["Mit"] == ["mit@example.com", "'+491701234567", ""]
    # One column of which one cell is empty: still one record per customer, none skipped.
    for field in ("email", "birthday"):
        _export_id, data = _build(salon, login_as, client, [field], "csv")
        records = data.decode("utf-8-sig").split("\r\n")
        assert len(records) == 4 and records[-1] == "" and '""' in records[1:3], (field, records)
        assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))) == 3


def test_csv_is_in_customer_number_order_across_batches_and_wide_records(salon, login_as, client, monkeypatch):
    """Small batches, more own fields than the SQLite writer joins (the rest are looked up per
    cell) and records split over several printf() calls give the same file."""
    from portal.exports import csv_sqlite

    definitions = []
    for n in range(4):
        definition = CustomerFieldDefinition(account_id=salon.account.id, key=f"f{n}", label=f"Feld {n}")
        db.session.add(definition)
        definitions.append(definition)
    db.session.commit()
    ids = [
        factories.make_customer(
            salon.account, f"Kunde{n:02d}", custom={str(d.id): f"=wert {n}, {d.label}" for d in definitions}
        )
        for n in range(12)
    ]
    fields = ["id", "last_name", *[f"custom:{d.id}" for d in definitions]]
    _export_id, plain = _build(salon, login_as, client, fields, "csv")
    monkeypatch.setattr(writer, "BATCH", 5)
    monkeypatch.setattr(csv_sqlite, "MAX_JOINS", 1)
    monkeypatch.setattr(csv_sqlite, "ARGUMENTS_PER_PRINTF", 4)
    _export_id, split = _build(salon, login_as, client, fields, "csv")
    assert split == plain
    rows = list(csv.reader(io.StringIO(plain.decode("utf-8-sig"), newline="")))
    assert [int(row[0]) for row in rows[1:]] == sorted(ids)
    assert rows[1][2:] == [f"'=wert 0, Feld {n}" for n in range(4)]


def test_german_excel_csv_uses_semicolons(salon, login_as, client):
    _customers(salon)
    _export_id, data = _build(salon, login_as, client, ["last_name", "notes"], "csv_de")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 1 + len(TRICKY) and rows[1][1].startswith("Zeile eins\nZeile zwei; mit")


def test_xlsx_opens_and_holds_text_not_formulas(salon, login_as, client):
    _customers(salon)
    recipe = CustomerFieldDefinition(account_id=salon.account.id, key="r", label="Farbrezeptur")
    db.session.add(recipe)
    db.session.commit()
    _export_id, data = _build(salon, login_as, client, ["last_name", "street", f"custom:{recipe.id}"], "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Last name", "Street and number", "Farbrezeptur")
    streets = {row[0]: row[1] for row in rows[1:]}
    assert streets["Müller"] == '=HYPERLINK("http://evil")'
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["Müller"].data_type == "s"  # a string, never a formula


def test_download_only_by_the_recipient_once_and_file_deleted(salon, login_as, client):
    export_id = _finished_export(salon, login_as, client)
    path = _download_link()
    owner = login_as(salon.owner)
    response = owner.get(path)
    assert response.status_code == 403 and "meant for another login" in response.get_data(as_text=True)
    assert owner.post(path).status_code == 403
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    admin = login_as(salon.admin, password=ADMIN_PASSWORD)
    assert admin.post(path).status_code == 200
    assert admin.post(path).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert [e.action for e in events("export", entity_id=export_id)] == [
        "requested",
        "confirmed",
        "started",
        "finished",
        "downloaded",
    ]
    assert all(e.changes["fields"]["new"] == FIELDS for e in events("export", entity_id=export_id))


def test_progress_polls_until_finished_and_the_last_answer_brings_the_timeline(salon, login_as, client):
    _grant_export(salon)
    owner = login_as(salon.owner)
    export_id = _wizard(owner, salon.admin.id, FIELDS)
    progress = f"/settings/exports/{export_id}/progress"
    waiting = owner.get(progress, headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.get_data(as_text=True)
    assert "hx-swap-oob" not in waiting.get_data(as_text=True)
    client.post(_confirm_link(), data={"password": ADMIN_PASSWORD})
    assert run_export(export_id) == "finished"
    done = owner.get(progress, headers={"HX-Request": "true"})
    page = done.get_data(as_text=True)
    assert done.status_code == 286 and 'hx-trigger="every 1s"' not in page  # htmx stops polling
    assert 'id="export-timeline" class="timeline" hx-swap-oob="true"' in page
    assert page.count("<li>") == 4 and "finished" in page and "usable once" in page


def test_repeated_downloads_when_chosen_until_the_link_expires(salon, login_as, client):
    _customers(salon)
    owner = login_as(salon.owner)
    export_id = _finished_export(salon, login_as, client, repeat=True)
    summary = owner.get(f"/settings/exports/{export_id}").get_data(as_text=True)
    assert "several times within 24 hours" in summary
    assert "usable as often as needed" in summary and "usable once" not in summary
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "export_ready")).one()
    assert "as often as needed" in mail.body_text
    path = _download_link()
    admin = login_as(salon.admin, password=ADMIN_PASSWORD)
    first, second = admin.post(path), admin.post(path)
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert "Jürgen" in first.data.decode("utf-8-sig")
    assert owner.post(path).status_code == 403  # still only the recipient
    export = db.session.get(CustomerExport, export_id)
    assert (export.status, export.download_count) == ("downloaded", 2)
    assert [
        e.changes["download"]["new"] for e in events("export", entity_id=export_id) if e.action == "downloaded"
    ] == [1, 2]
    assert "downloaded 2 times" in owner.get(f"/settings/exports/{export_id}").get_data(as_text=True)
    export.finished_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert maintain()["expired"] == 1
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert admin.post(path).status_code == 410


def test_single_download_is_the_default(salon, login_as, client):
    export_id = _finished_export(salon, login_as, client)
    export = db.session.get(CustomerExport, export_id)
    assert export.repeat_downloads is False
    assert (
        "usable once"
        in db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "export_ready")).one().body_text
    )


def test_expiry_deletes_the_file(salon, login_as, client):
    export_id = _finished_export(salon, login_as, client)
    path = _download_link()
    export = db.session.get(CustomerExport, export_id)
    export.finished_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert maintain()["expired"] == 1
    db.session.expire_all()
    assert db.session.get(CustomerExport, export_id).status == "expired"
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert login_as(salon.admin, password=ADMIN_PASSWORD).post(path).status_code == 410


def _confirmed_export_of(customers: int, salon, login_as, client) -> int:
    """That many customers and a confirmed export of their numbers and names, queued."""
    for n in range(customers):
        factories.make_customer(salon.account, f"Kunde{n:02d}", "Test")
    _grant_export(salon)
    export_id = _wizard(login_as(salon.owner), salon.admin.id, ["id", "last_name"])
    client.post(_confirm_link(), data={"password": ADMIN_PASSWORD})
    return export_id


def _downloaded_customer_numbers(salon, login_as) -> list[str]:
    data = login_as(salon.admin, password=ADMIN_PASSWORD).post(_download_link()).data.decode("utf-8-sig")
    return [row[0] for row in csv.reader(io.StringIO(data, newline=""))][1:]


@pytest.fixture
def after_each_write(monkeypatch):
    """Run `hook(export)` after each piece the real writer hands to its chunk sink (the header,
    then one batch of customers each time), as a worker that dies or stalls there would."""

    def install(export_id, hook):
        real = ChunkSink.write

        def write_then_hook(sink, data):
            real(sink, data)
            hook(db.session.get(CustomerExport, export_id))

        monkeypatch.setattr(ChunkSink, "write", write_then_hook)
        return lambda: monkeypatch.setattr(ChunkSink, "write", real)

    return install


def test_a_job_killed_half_way_yields_one_complete_file_and_one_email(
    salon, login_as, client, monkeypatch, after_each_write
):
    export_id = _confirmed_export_of(25, salon, login_as, client)
    monkeypatch.setattr(writer, "BATCH", 10)

    def crash(export):
        if export.progress_done >= 10:
            raise SystemExit("worker killed")

    restore = after_each_write(export_id, crash)
    with pytest.raises(SystemExit):
        run_export(export_id)
    db.session.rollback()
    export = db.session.get(CustomerExport, export_id)
    assert export.status == "running" and export.progress_done == 10
    restore()
    assert run_export(export_id) == "nothing-to-do"  # the same job delivered again: one run at a time
    export.heartbeat_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert maintain()["retried"] == 1  # the maintenance notices the dead worker and requeues
    assert run_export(export_id) == "finished"
    assert run_export(export_id) == "nothing-to-do"  # at-least-once delivery: the second run does nothing
    numbers = _downloaded_customer_numbers(salon, login_as)
    assert len(numbers) == len(set(numbers)) == 25
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "export_ready")
        )
        == 1
    )


def test_an_export_whose_job_was_lost_is_enqueued_again_once(salon, login_as, client):
    from rq import Queue
    from rq.serializers import JSONSerializer

    from portal.recovery import recover_lost_jobs
    from portal.tasks import redis_connection

    export_id = _confirmed_export_of(3, salon, login_as, client)
    queue = Queue("exports", connection=redis_connection(), serializer=JSONSerializer)
    assert queue.count == 1
    queue.empty()  # Redis restarted without its data: the job is gone, the export waits forever
    assert recover_lost_jobs()["jobs.exports.build_export"] == 0  # not yet: a job may simply wait behind others
    export = db.session.get(CustomerExport, export_id)
    export.confirmed_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert recover_lost_jobs()["jobs.exports.build_export"] == 1
    assert [list(job.args) for job in queue.jobs] == [[export_id]]
    assert recover_lost_jobs()["jobs.exports.build_export"] == 0  # the queue holds it now: once, not every five minutes
    assert run_export(export_id) == "finished"
    assert run_export(export_id) == "nothing-to-do"  # the lost job, should it turn up after all


def test_a_stalled_run_replaced_by_a_later_one_neither_finishes_nor_mails(
    salon, login_as, client, monkeypatch, after_each_write
):
    export_id = _confirmed_export_of(12, salon, login_as, client)
    monkeypatch.setattr(writer, "BATCH", 5)

    def stall_past_the_maintenance(export):
        if export.progress_done == 5:  # the worker is silent for 11 minutes after its first batch
            export.heartbeat_at = utcnow() - timedelta(minutes=11)
            db.session.commit()
            assert maintain()["retried"] == 1

    restore = after_each_write(export_id, stall_past_the_maintenance)
    assert run_export(export_id) == "superseded"
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "export_ready")
        )
        == 0
    )
    restore()
    assert run_export(export_id) == "finished"
    assert run_export(export_id) == "nothing-to-do"
    numbers = _downloaded_customer_numbers(salon, login_as)
    assert len(numbers) == len(set(numbers)) == 12
    assert [e.action for e in events("export", entity_id=export_id)].count("finished") == 1


def test_a_chunk_that_cannot_be_stored_fails_the_run_and_stores_nothing(salon, login_as, client, monkeypatch):
    """On PostgreSQL a thread stores the chunks; its failure reaches the export's run, which
    leaves no piece behind and is retried like a run whose worker died."""
    from portal.exports import chunks

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the storing thread is PostgreSQL's; SQLite stores in the job's own transaction")
    export_id = _confirmed_export_of(12, salon, login_as, client)
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 64)  # several chunks, so the thread has work to fail at
    monkeypatch.setattr(
        chunks, "INSERT", "INSERT INTO export_chunk (export_id, seq, no_such_column) VALUES (%s, %s, %s)"
    )
    with pytest.raises(Exception, match="no_such_column"):
        run_export(export_id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert db.session.get(CustomerExport, export_id).status == "running"  # the maintenance retries it
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "export_ready")
        )
        == 0
    )


def test_ranges_whose_customers_are_gone_leave_no_gap_and_no_blank_line(salon, login_as, client, monkeypatch):
    """A range handed to a reader may have lost all its customers by the time it is read
    (erased meanwhile): it adds nothing to the file, and the file is still whole."""
    from portal.exports import csv_sqlite

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the reader threads are SQLite's; PostgreSQL writes the file with one COPY")
    ids = [factories.make_customer(salon.account, f"Kunde{n:02d}") for n in range(12)]
    _export_id, whole = _build(salon, login_as, client, ["id", "last_name"], "csv")
    # Ranges of seven customer numbers, on past the last customer: the last ones hold nobody.
    monkeypatch.setattr(
        csv_sqlite,
        "BATCH_END",
        "SELECT :after + 7 WHERE :after < (SELECT max(id) + 20 FROM "
        "customer WHERE account_id = :account_id) AND :skip = :skip",
    )
    _export_id, ranged = _build(salon, login_as, client, ["id", "last_name"], "csv")
    assert ranged == whole
    rows = list(csv.reader(io.StringIO(ranged.decode("utf-8-sig"), newline="")))
    assert [int(row[0]) for row in rows[1:]] == sorted(ids)


def test_a_reader_that_fails_fails_the_run_and_leaves_no_reader_behind(salon, login_as, client, monkeypatch):
    """On SQLite reader threads build the batches; a reader's error reaches the run, which
    stores nothing, and every reader and its connection are gone."""
    import threading

    from portal.exports import csv_sqlite

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the reader threads are SQLite's; PostgreSQL writes the file with one COPY")
    export_id = _confirmed_export_of(12, salon, login_as, client)
    monkeypatch.setattr(writer, "BATCH", 3)  # several batches for the readers
    statements = csv_sqlite._statements

    def broken_for_readers(export, zone, delimiter):
        keyset, ranged, params = statements(export, zone, delimiter)
        return keyset, ranged.replace("FROM customer c", "FROM no_such_table c"), params

    monkeypatch.setattr(csv_sqlite, "_statements", broken_for_readers)
    with pytest.raises(Exception, match="no_such_table"):
        run_export(export_id)
    db.session.rollback()
    assert not [t for t in threading.enumerate() if t.name.startswith(f"export-{export_id}-reader")]
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert db.session.get(CustomerExport, export_id).status == "running"  # the maintenance retries it
    monkeypatch.setattr(csv_sqlite, "_statements", statements)
    assert run_export(export_id) == "nothing-to-do"  # still claimed by the failed run, until the maintenance
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.template == "export_ready")
        )
        == 0
    )


def test_whole_flow_through_a_real_worker_and_the_smtp_sink(salon, login_as, client, worker_env, mails):
    _customers(salon)
    _grant_export(salon)
    _wizard(login_as(salon.owner), salon.admin.id, FIELDS)
    assert run_worker_burst(worker_env, "emails").returncode == 0
    confirm = next(link for m in mails() for link in m.links if "/exports/confirm/" in link)
    assert next(m for m in mails() if "/exports/confirm/" in m.text).to == salon.admin.email
    client.post(link_path(confirm), data={"password": ADMIN_PASSWORD})
    result = run_worker_burst(worker_env, "exports", "emails")
    assert result.returncode == 0, result.stderr
    download = next(link for m in mails() for link in m.links if "/exports/download/" in link)
    data = login_as(salon.admin, password=ADMIN_PASSWORD).post(link_path(download)).data.decode("utf-8-sig")
    assert "Jürgen" in data and "Zoë" in data
    assert db.session.scalars(select(Login).where(Login.id == salon.admin.id)).one().email in {m.to for m in mails()}


@pytest.mark.parametrize(
    "zone_name, moments",
    [
        (
            "Europe/Berlin",
            [
                (2026, 1, 15, 23, 30),
                (2026, 3, 29, 0, 59),
                (2026, 3, 29, 1, 0),
                (2026, 7, 1, 22, 30),
                (2026, 10, 25, 0, 59),
                (2026, 10, 25, 1, 0),
                (1996, 9, 29, 0, 30),
                (1996, 9, 29, 1, 0),
            ],
        ),
        # Southern hemisphere (summer time across the new year) and a zone west of UTC.
        ("Australia/Sydney", [(2026, 4, 4, 15, 59), (2026, 4, 4, 16, 0), (2026, 10, 3, 15, 59), (2026, 10, 3, 16, 0)]),
        ("America/New_York", [(2026, 3, 8, 6, 59), (2026, 3, 8, 7, 0), (2026, 11, 1, 5, 59), (2026, 11, 1, 6, 0)]),
    ],
)
def test_times_are_exported_in_the_salons_zone_across_summer_time_changes(salon, login_as, client, zone_name, moments):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from portal.models import Customer

    salon.account.timezone = zone_name
    moments = [datetime(*parts, tzinfo=UTC) for parts in moments]
    for n, moment in enumerate(moments):
        customer = db.session.get(Customer, factories.make_customer(salon.account, f"Zeit{n}"))
        customer.created_at = moment
    db.session.commit()
    _export_id, data = _build(salon, login_as, client, ["last_name", "created_at"], "csv")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))}
    zone = ZoneInfo(zone_name)
    assert [rows[f"Zeit{n}"] for n in range(len(moments))] == [
        moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") for moment in moments
    ]
