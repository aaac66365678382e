"""The log pages: filters, paging, permissions; and the login-history export by email link."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from portal.audit import Actor, record
from portal.extensions import db
from portal.models import LoginHistoryExport
from portal.models.base import utcnow
from tests import factories
from tests.conftest import run_worker_burst
from tests.history.helpers import events


def _text(response):
    return response.get_data(as_text=True)


def test_appointment_log_filters_by_period_employee_and_appointment(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Filter")
    actor = Actor(salon.account.id, salon.staff.id)
    old = record(
        actor.with_employee(salon.employee.id),
        "appointment",
        "moved",
        "appointment",
        77,
        {"notes": {"old": "", "new": "alt"}},
        customer_id=customer_id,
        summary="Filter",
    )
    old.occurred_at = utcnow() - timedelta(days=40)
    record(
        actor,
        "appointment",
        "moved",
        "appointment",
        78,
        {"notes": {"old": "", "new": "neu"}},
        customer_id=customer_id,
        summary="Filter",
    )
    db.session.commit()
    owner = login_as(salon.owner)

    everything = _text(owner.get("/history/appointments"))
    assert "Appointment #77" in everything and "Appointment #78" in everything
    recent = (utcnow() - timedelta(days=7)).date().isoformat()
    period = _text(owner.get(f"/history/appointments?start={recent}", headers={"HX-Request": "true"}))
    assert "Appointment #78" in period and "Appointment #77" not in period and "<html" not in period
    by_employee = _text(owner.get(f"/history/appointments?employee={salon.employee.id}"))
    assert "Appointment #77" in by_employee and "Appointment #78" not in by_employee
    by_number = _text(owner.get("/history/appointments?appointment=78"))
    assert "Appointment #78" in by_number and "Appointment #77" not in by_number


def test_bad_filters_get_a_message_and_leak_nothing(salon, other_salon, login_as):
    record(
        Actor(other_salon.account.id, other_salon.owner.id, other_salon.employee.id),
        "appointment",
        "moved",
        "appointment",
        5,
        summary="Fremdkundin",
    )
    db.session.commit()
    owner = login_as(salon.owner)
    response = owner.get("/history/appointments?start=2026-05-10&end=2026-05-01")
    assert response.status_code == 422
    assert "The end of the period cannot be before its start." in _text(response)
    foreign_employee = owner.get(f"/history/appointments?employee={other_salon.employee.id}")
    assert foreign_employee.status_code == 422 and "Not a valid choice" in _text(foreign_employee)
    foreign_customer = owner.get("/history/appointments?customer=99999")
    assert "This customer does not exist in your salon." in _text(foreign_customer)
    assert "Fremdkundin" not in _text(owner.get("/history/appointments"))


def test_paging_walks_all_events_newest_first(salon, login_as):
    actor = Actor(salon.account.id, salon.owner.id)
    now = utcnow()
    for n in range(120):
        event = record(actor, "setting", "updated", "account", salon.account.id, summary=f"E{n:03d}")
        event.occurred_at = now - timedelta(minutes=n)
    db.session.commit()
    owner = login_as(salon.owner)
    seen, url = [], "/history/settings"
    while url:
        body = _text(owner.get(url, headers={"HX-Request": "true"}))
        seen += [part.split("<")[0] for part in body.split('<span class="muted">E')[1:]]
        marker = 'hx-get="/history/settings?'
        url = (
            "/history/settings?" + body.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in body else None
        )
    assert seen == [f"{n:03d}" for n in range(120)]


def test_who_may_read_the_histories(salon, login_as):
    assert login_as(salon.staff).get("/history/appointments").status_code == 403
    assert login_as(salon.admin).get("/history/settings").status_code == 403
    assert login_as(salon.accountant).get("/history/logins").status_code == 200
    salon.admin.extra_permissions = ["history.view"]
    db.session.commit()
    assert login_as(salon.admin).get("/history/settings").status_code == 200
    # Reading is not exporting: only the owner exports login histories.
    response = login_as(salon.accountant).post(
        "/history/logins/export", data={"login": salon.staff.id, "start": "2026-01-01", "end": "2026-02-01"}
    )
    assert response.status_code == 403
    assert db.session.scalars(select(LoginHistoryExport)).all() == []


def test_export_period_over_a_year_is_refused(salon, login_as):
    owner = login_as(salon.owner)
    response = owner.post(
        "/history/logins/export", data={"login": salon.staff.id, "start": "2025-01-01", "end": "2026-01-02"}
    )
    assert response.status_code == 422
    assert "The period may be at most one year." in _text(response)
    response = owner.post(
        "/history/logins/export", data={"login": salon.staff.id, "start": "2025-03-01", "end": "2025-02-01"}
    )
    assert "The end of the period cannot be before its start." in _text(response)
    assert db.session.scalars(select(LoginHistoryExport)).all() == []
    assert events("login", action="exported") == []


def test_login_history_export_is_mailed_and_downloaded_once(app, salon, login_as, mails, worker_env):
    staff = login_as(salon.staff)
    staff.post("/logout")
    app.test_client().post(
        "/login",
        data={"email": salon.staff.email, "password": "=cmd|' /C calc'!A0"},
        headers={"User-Agent": '=HYPERLINK("http://evil")'},
    )
    owner = login_as(salon.owner)
    today = salon.account.today()  # the salon's date: UTC's is a day behind before 01:00 in Berlin
    response = owner.post(
        "/history/logins/export",
        data={"login": salon.staff.id, "start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 200
    assert "You will receive an email with a download link." in _text(response)
    (exported,) = events("login", action="exported")
    assert exported.entity_id == salon.staff.id and exported.actor_login_id == salon.owner.id

    result = run_worker_burst(worker_env, "exports", "emails")
    assert result.returncode == 0, result.stderr
    (mail,) = mails()
    assert mail.to == salon.owner.email and salon.staff.email in mail.subject
    link = next(link for link in mail.links if "/downloads/" in link)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    assert owner.get(path).status_code == 200  # GET shows the page, burns nothing
    download = owner.post(path)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = download.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Time (Europe/Berlin)", "Event"]  # headers in the owner's language
    # The export request is itself part of the exported login's history.
    assert [row[1] for row in rows[1:]] == ["logged in", "logged out", "failed login", "export requested"]
    assert rows[3][4].startswith("'=HYPERLINK")  # formula injection neutralised
    assert owner.post(path).status_code == 410  # single use
    (downloaded,) = events("login", action="downloaded")
    assert downloaded.actor_login_id == salon.owner.id


def test_download_link_of_another_salon_is_refused(app, salon, other_salon, login_as, worker_env, mails):
    owner = login_as(salon.owner)
    today = salon.account.today()  # the salon's date: UTC's is a day behind before 01:00 in Berlin
    owner.post(
        "/history/logins/export", data={"login": salon.staff.id, "start": today.isoformat(), "end": today.isoformat()}
    )
    assert run_worker_burst(worker_env, "exports", "emails").returncode == 0
    link = next(link for link in mails()[0].links if "/downloads/" in link)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    other = login_as(other_salon.owner)
    assert other.get(path).status_code == 410
    assert other.post(path).status_code == 410
    assert owner.post(path).status_code == 200  # the stranger's attempt burned nothing


def test_log_filters_list_the_salons_own_people_in_order_and_rows_name_them(salon, other_salon, login_as):
    from portal.team.service import create_employee

    actor = Actor(salon.account.id, salon.owner.id)
    anna = create_employee(actor, "Anna Adler", "4711", None)
    create_employee(Actor(other_salon.account.id, other_salon.owner.id), "Zora Fremd", "4712", None)
    record(actor.with_employee(anna.id), "appointment", "moved", "appointment", 91, {"notes": {"old": "", "new": "x"}})
    record(actor, "appointment", "moved", "appointment", 92, {"notes": {"old": "", "new": "y"}})
    db.session.commit()

    page = _text(login_as(salon.owner).get("/history/appointments"))
    employees = page[page.index('name="employee"') : page.index("</select>", page.index('name="employee"'))]
    assert employees.index("Anna Adler") < employees.index("Employee Salon A") and "Zora Fremd" not in page
    changes = _text(login_as(salon.owner).get("/history/customers"))
    logins = changes[changes.index('name="login"') : changes.index("</select>", changes.index('name="login"'))]
    emails = ["accountant@salon-a.test", "admin@salon-a.test", "owner@salon-a.test", "staff@salon-a.test"]
    assert [logins.index(email) for email in emails] == sorted(logins.index(email) for email in emails)
    assert "salon-b.test" not in changes
    # The rows name the employee behind a PIN and the login behind the other entry.
    assert "Anna Adler (PIN)" in page and "owner Salon A" in page
