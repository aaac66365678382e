"""What the access package's files hold for a visit booked and checked out through the portal:
data.json and the CSV tables carry the moments as stored (ISO 8601, UTC) — written by the
database, so both databases must write them as Python would — the report shows them in the
salon's zone in German, and every text the salon typed is escaped in the report and
neutralised in the CSV (a spreadsheet must not run it)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.checkout.service import LineInput
from portal.extensions import db
from portal.models import Customer, Invoice, LineKind, PrivacyRequest
from portal.requests.access import build_package
from tests import factories

SERVICE = '<b>Schnitt & "Föhnen"</b>'


def _package(salon, customer_id: int) -> zipfile.ZipFile:
    request = PrivacyRequest(
        account_id=salon.account.id,
        location_id=salon.location.id,
        customer_id=customer_id,
        kind="access",
        status="in_progress",
        locale="de",
    )
    db.session.add(request)
    db.session.flush()
    return zipfile.ZipFile(io.BytesIO(build_package(request, db.session.get(Customer, customer_id))))


def test_the_files_agree_with_the_visit_as_booked_and_checked_out(salon):
    customer_id = factories.make_customer(salon.account, "Winter", "Ida", email="ida.winter@example.com")
    service = factories.make_service(salon.account, SERVICE, 4900, 60)
    starts = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)  # 10:30 in Berlin, winter time
    visit = factories.book(salon, customer_id, starts, service, '=HYPERLINK("http://example.com")')
    factories.check_out(salon, visit, lines=[LineInput(LineKind.SERVICE, service_id=service.id)])
    invoice = db.session.scalars(select(Invoice).where(Invoice.customer_id == customer_id)).one()

    archive = _package(salon, customer_id)
    data = json.loads(archive.read("data.json"))
    [appointment] = data["appointments"]
    assert appointment["starts_at"] == "2026-01-15T09:30:00+00:00"
    assert appointment["ends_at"] == visit.ends_at.isoformat()
    assert appointment["service"] == SERVICE and appointment["location"] == salon.location.name
    [billed] = data["invoices"]
    assert billed["issued_at"] == invoice.issued_at.isoformat()  # with its microseconds
    assert datetime.fromisoformat(data["change_history"][0]["occurred_at"]).tzinfo == UTC

    table = archive.read("csv/appointments.csv").decode("utf-8-sig")
    assert "2026-01-15T09:30:00+00:00" in table
    assert "'=HYPERLINK" in table and ',"=HYPERLINK' not in table

    report = archive.read("report.html").decode()
    assert "15.01.2026, 10:30" in report
    assert "&lt;b&gt;Schnitt &amp; &quot;Föhnen&quot;&lt;/b&gt;" in report and "<b>Schnitt" not in report
    assert (
        f"<td>{invoice.number}</td><td>{invoice.issued_at.astimezone(ZoneInfo('Europe/Berlin')):%d.%m.%Y}</td>"
        in report
    )


def test_packages_built_one_after_another_each_hold_only_their_own_customer(salon):
    """The package's reads are built once per process and bound to each customer: the second
    package must not carry the first customer's visits, invoices or history."""
    service = factories.make_service(salon.account, "Schnitt", 3900, 30)
    first = factories.make_customer(salon.account, "Winter", "Ida", email="ida@example.com")
    second = factories.make_customer(salon.account, "Sommer", "Lea", email="lea@example.com")
    for n, customer_id in enumerate((first, first, second)):
        visit = factories.book(salon, customer_id, datetime(2026, 2, 2 + n, 9, tzinfo=UTC), service, "")
        factories.check_out(salon, visit, lines=[LineInput(LineKind.SERVICE, service_id=service.id)])

    counts = {}
    for customer_id in (first, second):
        data = json.loads(_package(salon, customer_id).read("data.json"))
        counts[customer_id] = (len(data["appointments"]), len(data["invoices"]), data["subject"]["email"])
        assert {h["category"] for h in data["change_history"]} <= {"customer", "appointment"}
    assert counts == {first: (2, 2, "ida@example.com"), second: (1, 1, "lea@example.com")}
