"""Nothing of an erased person survives anywhere the portal writes — the database (every table,
and the SQLite file's bytes, free pages included), Redis, the SMS gateway's file — and the
next customer gets a new number that carries nothing of the old one. Every trace is left
through the portal's own operations: a changed address, a hold with its reason, a staff note,
an unverified online request and its mail from the old address, appointment confirmations,
a failed login with the address, an export file waiting for its download."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import LargeBinary, func, select

from portal.auth.lockout import email_key
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Customer,
    CustomerExport,
    CustomerHold,
    ExportChunk,
    Message,
    OutboundEmail,
    PrivacyRequest,
    SignedDocument,
)
from portal.requests.erasure_traces import HANDLED_REFERENCES
from portal.tasks import redis_connection
from tests.conftest import run_worker_burst
from tests.exports.test_exports import _finished_export
from tests.privacy.helpers import erasure_confirmation, rich_customer
from tests.requests.test_erasure import _all_text_in_database
from tests.signed_forms.helpers import signed_by_service

FIRST, NAME = "Griselda", "Sommerfeld"
OLD_EMAIL, EMAIL, PHONE = "g.sommerfeld@alt.example", "griselda.sommerfeld@example.com", "+491709998877"
HOLD_REASON, STAFF_NOTE = "kommt nach der Elternzeit wieder", "Anruf von Frau Sommerfeld am Vormittag"
ALLERGY = "Allergie gegen Nickelsulfat"
NEEDLES = (OLD_EMAIL, EMAIL, PHONE, PHONE.lstrip("+"), "Elternzeit", "Anruf von Frau", "Hafermilch", "Nickelsulfat")


def _leave_traces(salon, login_as, client, worker_env) -> tuple[int, int, int]:
    customer_id = rich_customer(salon, NAME, FIRST, OLD_EMAIL, PHONE)
    # On the tablet, the customer signs the intake form with a health answer (a PDF is stored).
    signed_by_service(salon, customer_id, {"first_name": FIRST, "last_name": NAME, "allergies": ALLERGY})
    db.session.commit()
    owner = login_as(salon.owner)
    # The customer moves to a new address; the history keeps the old one until the erasure.
    changed = owner.post(
        f"/customers/{customer_id}",
        data={"first_name": FIRST, "last_name": NAME, "email": EMAIL, "phone": PHONE, "country": "DE"},
    )
    assert changed.status_code == 200 and db.session.get(Customer, customer_id).email == EMAIL
    until = (salon.account.today() + timedelta(days=90)).isoformat()
    assert owner.post(f"/customers/{customer_id}/hold", data={"reason": HOLD_REASON, "until": until}).status_code == 302
    # From the old address, someone asks online and never confirms.
    sent = client.post(
        f"/b/{salon.account.slug}/{salon.location.id}/requests",
        data={"kind": "access", "email": OLD_EMAIL, "message": f"Ich bin {FIRST} {NAME}"},
    )
    assert sent.status_code == 200
    # The confirmations of the visits go out (SMS to the number, through the worker).
    assert run_worker_burst(worker_env, "default", "emails").returncode == 0
    # Someone types the customer's address into the staff login.
    client.post("/login", data={"email": EMAIL, "password": "nicht-ihr-passwort"})
    export_id = _finished_export(salon, login_as, client, fields=["id", "first_name", "last_name", "email"])
    owner.post(
        f"/customers/{customer_id}/privacy-requests",
        data={"kind": "erasure", "channel": "phone", "location_id": salon.location.id, "note": STAFF_NOTE},
    )
    request_id = db.session.scalar(select(PrivacyRequest.id).where(PrivacyRequest.kind == "erasure"))
    return customer_id, request_id, export_id


def _redis_text() -> str:
    redis = redis_connection()
    parts = []
    for key in redis.scan_iter(count=1000):
        parts.append(key.decode("utf-8", "replace"))
        kind = redis.type(key).decode()
        if kind == "string":
            parts.append(redis.get(key).decode("utf-8", "replace"))
        elif kind == "hash":
            parts.extend(v.decode("utf-8", "replace") for v in redis.hgetall(key).values())
        elif kind == "list":
            parts.extend(v.decode("utf-8", "replace") for v in redis.lrange(key, 0, -1))
    return "\n".join(parts)


def _text_of_stored_pdfs() -> str:
    """Every PDF the database holds (signed forms, stored files), as text."""
    texts = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, LargeBinary):
                    for (value,) in conn.execute(select(column)):
                        if value and bytes(value).startswith(b"%PDF"):
                            texts.extend(page.extract_text() for page in PdfReader(BytesIO(bytes(value))).pages)
    return "\n".join(texts)


def _sqlite_files() -> list[Path]:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return []
    path = Path(url.database)
    return [p for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal")) if p.exists()]


def test_every_trace_of_the_person_goes_and_the_next_customer_starts_clean(salon, login_as, client, worker_env, app):
    customer_id, request_id, export_id = _leave_traces(salon, login_as, client, worker_env)
    everything = " ".join(value for _t, _c, value in _all_text_in_database())
    assert OLD_EMAIL in everything and HOLD_REASON in everything and STAFF_NOTE in everything  # the scan sees them
    assert ALLERGY in everything and ALLERGY in _text_of_stored_pdfs() and NAME in _text_of_stored_pdfs()
    sms_file = Path(app.config["SMS_FILE"])
    assert PHONE in sms_file.read_text()
    assert email_key(EMAIL) in _redis_text() and EMAIL not in _redis_text()  # counted, but never by the address
    assert db.session.get(CustomerExport, export_id).status == "finished"

    assert (
        login_as(salon.owner)
        .post(f"/privacy/requests/{request_id}/complete", data=erasure_confirmation(request_id))
        .status_code
        == 302
    )
    db.session.expire_all()

    leftovers = [
        (t, c, v) for t, c, v in _all_text_in_database() if any(n.lower() in v.lower() for n in NEEDLES + (NAME,))
    ]
    # Only the retained invoice's printed name, and the certificate mail to the address the
    # request came from — which forgets its recipient once sent (test_erasure).
    assert {(t, c) for t, c, _v in leftovers} <= {
        ("invoice", "billed_name"),
        ("outbound_email", "recipient"),
        ("outbound_email", "body_text"),
        ("outbound_email", "body_html"),
    }
    assert all(v == EMAIL for t, c, v in leftovers if (t, c) == ("outbound_email", "recipient"))
    assert db.session.scalar(select(func.count()).select_from(CustomerHold)) == 0
    assert (
        db.session.scalar(select(func.count()).select_from(PrivacyRequest).where(PrivacyRequest.status == "unverified"))
        == 0
    )
    assert db.session.get(PrivacyRequest, request_id).staff_note == ""
    assert db.session.scalars(select(Message.customer_id)).all() and not any(
        db.session.scalars(select(Message.customer_id))
    )
    export = db.session.get(CustomerExport, export_id)
    assert export.status == "withdrawn"
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .where(OutboundEmail.template == "export_withdrawn", OutboundEmail.recipient == salon.admin.email)
        )
        == 1
    )
    assert email_key(EMAIL) not in _redis_text()
    assert PHONE not in sms_file.read_text()
    # Once the certificate mail is sent, it forgets its recipient: then not a byte is left.
    assert run_worker_burst(worker_env, "emails").returncode == 0
    db.session.expire_all()
    assert [(t, c) for t, c, v in _all_text_in_database() if any(n in v for n in NEEDLES)] == []
    assert db.session.scalar(select(func.count()).select_from(SignedDocument)) == 0
    assert NAME not in _text_of_stored_pdfs() and "Nickelsulfat" not in _text_of_stored_pdfs()
    for path in _sqlite_files():  # deleted rows are overwritten, not left in free pages
        raw = path.read_bytes()
        assert [n for n in NEEDLES if n.encode() in raw] == [], path

    # The next customer gets a new number and sees nothing of the old one.
    owner = login_as(salon.owner)
    created = owner.post("/customers/new", data={"first_name": "Nora", "last_name": "Neu", "country": "DE"})
    assert created.status_code == 302
    newcomer = db.session.scalars(select(Customer).where(Customer.last_name == "Neu")).one()
    assert newcomer.id > customer_id
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.customer_id == newcomer.id)).all() == [
        "created"
    ]
    assert db.session.scalars(select(Message).where(Message.customer_id == newcomer.id)).all() == []
    assert db.session.scalars(select(CustomerHold).where(CustomerHold.customer_id == newcomer.id)).all() == []
    page = owner.get(f"/customers/{newcomer.id}?tab=privacy").get_data(as_text=True)
    assert "Elternzeit" not in page


def test_every_reference_to_a_customer_is_handled_by_the_erasure_explicitly():
    """A new table pointing at customers must be reviewed: deleted or detached by the erasure."""
    references = {
        f"{fk.parent.table.name}.{fk.parent.name}"
        for table in db.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == "customer"
    }
    assert references == set(HANDLED_REFERENCES)


def test_sqlite_enforces_foreign_keys_on_every_connection():
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        tables = (
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
            )
            .scalars()
            .all()
        )
    assert {"customer", "appointment", "privacy_request", "customer_hold", "audit_event", "message"} <= set(tables)


def test_an_export_written_while_a_customer_is_erased_is_withdrawn_not_mailed(salon, login_as, client, monkeypatch):
    from portal.audit import Actor
    from portal.exports import build as job
    from portal.requests.erasure import erase_customer
    from tests import factories
    from tests.exports.test_exports import ADMIN_PASSWORD, _confirm_link, _grant_export, _wizard

    customer_id = factories.make_customer(salon.account, NAME, FIRST, email=EMAIL)
    factories.make_customer(salon.account, "Bleibt", "Berta")
    _grant_export(salon)
    export_id = _wizard(login_as(salon.owner), salon.admin.id, ["id", "last_name", "email"])
    client.post(_confirm_link(), data={"password": ADMIN_PASSWORD})
    write = job.write_export

    def erased_half_way(export, labels):
        size = write(export, labels)  # the file now holds the customer...
        erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
        db.session.commit()  # ...who is erased before the run finishes
        return size

    monkeypatch.setattr(job, "write_export", erased_half_way)
    assert job.run_export(export_id) == "withdrawn"
    db.session.expire_all()
    assert db.session.get(CustomerExport, export_id).status == "withdrawn"
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    templates = db.session.scalars(select(OutboundEmail.template)).all()
    assert "export_withdrawn" in templates and "export_ready" not in templates
