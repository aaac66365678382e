"""Automatic forgetting: who is due, holds, runs that resume and never forget twice, reports
unchanged, nothing of the forgotten left, and the summary mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from portal.audit import Actor
from portal.auth import lockout
from portal.checkout.service import LineInput
from portal.customers.service import update_customer
from portal.extensions import db
from portal.models import (
    Account,
    Appointment,
    AuditEvent,
    Customer,
    CustomerHold,
    Invoice,
    LineKind,
    PrivacyRequest,
    RetentionRun,
    Service,
    Voucher,
)
from portal.requests.deadlines import add_months
from portal.retention import service as retention
from tests import factories
from tests.conftest import run_worker_burst
from tests.requests.test_erasure import _all_text_in_database

TODAY = date(2026, 11, 22)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _switch_on(salon, months=24, since=TODAY - timedelta(days=1)):
    account = db.session.get(Account, salon.account.id)
    account.retention_months, account.retention_since = months, _at(since)
    db.session.commit()
    return account


def _customer(salon, name, created, visit=None):
    """A customer created on `created`, with a visit checked out on `visit` (the portal's own
    operations: book, check out)."""
    customer_id = factories.customer_since(salon.account, _at(created), name, email=f"{name.lower()}@example.com")
    if visit:
        factories.visit(salon, customer_id, _at(visit, 10), _service(salon))
    return customer_id


def _service(salon):
    return db.session.scalars(
        select(Service).where(Service.account_id == salon.account.id)
    ).first() or factories.make_service(salon.account)


def test_who_is_due(salon, other_salon):
    account = _switch_on(salon)
    cutoff_day = add_months(TODAY, -24)  # 2024-11-22
    service = _service(salon)
    old = _customer(salon, "Alt", date(2020, 1, 1), visit=cutoff_day - timedelta(days=1))
    exactly = _customer(salon, "Genau", date(2020, 1, 1), visit=cutoff_day)
    recent = _customer(salon, "Neu", date(2020, 1, 1), visit=TODAY - timedelta(days=30))
    never = _customer(salon, "Nie", date(2021, 5, 5))
    new_customer = _customer(salon, "Frisch", TODAY - timedelta(days=10))
    bought = _customer(salon, "Kauf", date(2019, 1, 1), visit=date(2020, 1, 1))
    factories.check_out(
        salon,
        customer_id=bought,
        when=_at(TODAY - timedelta(days=40)),
        lines=[LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1500)],
    )
    # Regulars: created three years ago, visits 20, 50 and 80 days ago — never due.
    regular = _customer(salon, "Stamm", TODAY - timedelta(days=3 * 365), visit=TODAY - timedelta(days=80))
    for days in (50, 20):
        factories.visit(salon, regular, _at(TODAY - timedelta(days=days), 10), service)
    # Only a no-show within the window: that is no visit.
    absent = _customer(salon, "Fehlt", date(2019, 1, 1))
    factories.no_show(salon, absent, _at(TODAY - timedelta(days=20), 10), service)
    # Only a cancelled invoice within the window: that is no purchase.
    cancelled = _customer(salon, "Storno", date(2019, 1, 1))
    factories.storno(salon, factories.visit(salon, cancelled, _at(TODAY - timedelta(days=20), 10), service))
    held = _customer(salon, "Gehalten", date(2019, 1, 1))
    db.session.add(
        CustomerHold(
            account_id=salon.account.id, customer_id=held, reason="Reklamation", until=TODAY + timedelta(days=5)
        )
    )
    expired_hold = _customer(salon, "Abgelaufen", date(2019, 1, 1))
    db.session.add(
        CustomerHold(
            account_id=salon.account.id, customer_id=expired_hold, reason="alt", until=TODAY - timedelta(days=1)
        )
    )
    asked = _customer(salon, "Anfrage", date(2019, 1, 1))
    db.session.add(
        PrivacyRequest(
            account_id=salon.account.id, location_id=salon.location.id, customer_id=asked, kind="access", status="new"
        )
    )
    db.session.commit()
    booked = _customer(salon, "Termin", date(2019, 1, 1))
    factories.book(salon, booked, datetime.now(UTC) + timedelta(days=3), service)
    voucher = _customer(salon, "Gutschein", date(2019, 1, 1))
    factories.check_out(
        salon,
        customer_id=voucher,
        when=_at(date(2020, 6, 1)),
        lines=[LineInput(LineKind.VOUCHER, unit_price_cents=5000)],
    )
    db.session.execute(update(Voucher).values(expires_on=TODAY + timedelta(days=30)))  # still valid "today"
    other = factories.customer_since(other_salon.account, _at(date(2015, 1, 1)), "Fremd")
    db.session.commit()

    due = set(db.session.scalars(retention.due_query(account, TODAY)))
    assert due == {old, never, expired_hold, absent, cancelled}
    assert {exactly, recent, new_customer, bought, regular, held, asked, booked, voucher} & due == set()
    assert other not in due
    due_rows, held_rows = retention.preview(account, today=TODAY)
    reasons = {row.customer.id: row.held_because for row in held_rows}
    assert reasons == {held: ["hold"], asked: ["request"], booked: ["appointment"], voucher: ["voucher"]}
    # A day more than the period: due; the day itself: not (the cut-off is local midnight).
    assert exactly not in due and old in due


def test_schedule_first_night_then_monthly(salon):
    account = _switch_on(salon, since=date(2026, 1, 31))
    assert retention.latest_due_date(account, date(2026, 1, 31)) is None
    assert retention.latest_due_date(account, date(2026, 2, 1)) == date(2026, 2, 1)
    assert retention.latest_due_date(account, date(2026, 2, 20)) == date(2026, 2, 1)
    assert retention.latest_due_date(account, date(2026, 3, 1)) == date(2026, 3, 1)
    assert retention.next_run_date(account, date(2026, 1, 31)) == date(2026, 2, 1)
    assert retention.next_run_date(account, date(2026, 2, 2)) == date(2026, 3, 1)


def _population(salon, n=12):
    ids = [_customer(salon, f"Inaktiv{i:02d}", date(2019, 1, 1), visit=date(2020, 3, 1)) for i in range(n)]
    keeper = _customer(salon, "Aktiv", date(2019, 1, 1), visit=TODAY - timedelta(days=3))
    return ids, keeper


def test_a_run_forgets_in_batches_keeps_reports_and_leaves_nothing(salon, mails, worker_env):
    ids, keeper = _population(salon)
    _switch_on(salon)
    revenue = db.session.scalar(select(func.sum(Invoice.total_cents)))
    visits = db.session.scalar(select(func.count()).select_from(Appointment))
    run = retention.run_due(salon.account.id, TODAY, batch_size=5)
    assert (run.status, run.forgotten, run.batches) == ("finished", 12, 3)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.id.in_(ids))) == 0
    assert db.session.get(Customer, keeper) is not None
    assert db.session.scalar(select(func.sum(Invoice.total_cents))) == revenue
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == visits
    # The forensic check for every forgotten customer: only the printed invoice name remains.
    for i in range(12):
        leftovers = {(t, c) for t, c, v in _all_text_in_database() if f"inaktiv{i:02d}" in v.lower()}
        assert leftovers == {("invoice", "billed_name")}, leftovers
    # Running again the same night does nothing.
    assert retention.run_due(salon.account.id, TODAY) is None
    assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 1
    assert run_worker_burst(worker_env, "emails").returncode == 0
    (summary,) = [m for m in mails() if "12" in m.subject]
    assert summary.to == salon.owner.email and "Inaktiv" not in summary.text  # counts, not names


@pytest.fixture
def after_each_batch(monkeypatch):
    """Run `hook(run)` after each batch's erasure, inside its transaction (the real
    `erase_customers` does the work): a crash there loses that batch, never half of it."""

    def install(hook):
        real = retention.erase_customers

        def erase_then_hook(*args, **kwargs):
            result = real(*args, **kwargs)
            hook(db.session.scalars(select(RetentionRun).where(RetentionRun.status == "running")).one())
            return result

        monkeypatch.setattr(retention, "erase_customers", erase_then_hook)
        return lambda: monkeypatch.setattr(retention, "erase_customers", real)

    return install


def test_an_interrupted_run_resumes_and_forgets_nobody_twice(salon, after_each_batch):
    ids, _keeper = _population(salon)
    _switch_on(salon)

    def crash(run):
        if run.batches == 2:
            raise RuntimeError("worker killed")

    restore = after_each_batch(crash)
    with pytest.raises(RuntimeError):
        retention.run_due(salon.account.id, TODAY, batch_size=4)
    db.session.rollback()
    run = db.session.scalars(select(RetentionRun)).one()
    assert (run.status, run.forgotten) == ("running", 8)
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.id.in_(ids))) == 4
    # While the first worker still looks alive, nobody else takes the run.
    restore()
    assert retention.run_due(salon.account.id, TODAY) is None
    run.heartbeat_at = datetime.now(UTC) - timedelta(minutes=11)
    db.session.commit()
    resumed = retention.run_due(salon.account.id, TODAY, batch_size=4)
    assert (resumed.id, resumed.status, resumed.forgotten) == (run.id, "finished", 12)
    erased_events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erased")).all()
    assert sorted(e.entity_id for e in erased_events) == sorted(ids)  # each exactly once


def test_two_runs_at_once_forget_each_customer_once(salon):
    ids, _keeper = _population(salon)
    account = _switch_on(salon)
    first = retention._claim(account, TODAY - timedelta(days=0), TODAY)
    assert first is not None
    assert retention._claim(account, TODAY, TODAY) is None  # the second scheduler backs off
    db.session.delete(first)
    db.session.commit()
    assert retention.run_due(salon.account.id, TODAY).forgotten == 12
    assert retention.run_due(salon.account.id, TODAY) is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "erased")) == 12


def test_switching_off_during_a_run_stops_after_the_current_batch(salon, after_each_batch):
    _population(salon)
    _switch_on(salon)

    def switch_off(run):
        db.session.execute(Account.__table__.update().values(retention_months=None))
        db.session.commit()

    after_each_batch(switch_off)
    run = retention.run_due(salon.account.id, TODAY, batch_size=5)
    assert (run.status, run.forgotten) == ("stopped", 5)


def test_holds_need_a_reason_and_a_future_end(salon, login_as):
    customer_id = factories.make_customer(salon.account, "Halten")
    staff = login_as(salon.staff)
    response = staff.post(f"/customers/{customer_id}/hold", data={"reason": "", "until": "2099-01-01"})
    assert "Please give a reason for the hold." in staff.get(response.headers["Location"]).get_data(as_text=True)
    response = staff.post(f"/customers/{customer_id}/hold", data={"reason": "Reklamation", "until": "2001-01-01"})
    assert "The end of the hold cannot be in the past." in staff.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(CustomerHold)) == 0
    staff.post(f"/customers/{customer_id}/hold", data={"reason": "Reklamation", "until": "2099-01-01"})
    hold = db.session.scalars(select(CustomerHold)).one()
    assert (hold.reason, hold.until, hold.created_by_id) == ("Reklamation", date(2099, 1, 1), salon.staff.id)


def test_switching_on_shows_how_many_the_first_run_forgets(salon, login_as):
    _population(salon)
    owner = login_as(salon.owner)
    url = f"/settings/privacy/locations/{salon.location.id}/retention"
    # First the consequence, nothing saved; a forged or outdated count saves nothing either.
    for forged in ({}, {"confirm": "11"}):
        page = owner.post(
            url,
            data={"retention_months": "24", "marketing_window_months": "36", **forged},
            headers={"HX-Request": "true"},
        ).get_data(as_text=True)
        assert "12 customers will be anonymised for good" in page
        db.session.expire_all()
        assert db.session.get(Account, salon.account.id).retention_months is None
    page = owner.post(
        url,
        data={"retention_months": "24", "marketing_window_months": "36", "confirm": "12"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "will forget 12 customers" in page
    db.session.expire_all()
    account = db.session.get(Account, salon.account.id)
    assert account.retention_months == 24 and account.retention_since is not None
    response = owner.post(
        f"/settings/privacy/locations/{salon.location.id}/retention",
        data={"retention_months": "12", "marketing_window_months": "36"},
        headers={"HX-Request": "true"},
    )
    assert "Not a valid choice." in response.get_data(as_text=True)  # below the 24-month minimum
    preview = owner.get("/privacy/retention").get_data(as_text=True)
    assert "Inaktiv00" in preview and "Aktiv Test" not in preview


def test_operators_preview_prints_the_same_customers_as_the_page(app, salon, login_as):
    _switch_on(salon, months=24)
    regular = _customer(salon, "Stammkundin", TODAY - timedelta(days=1100), TODAY - timedelta(days=20))
    gone = _customer(salon, "Weggezogen", TODAY - timedelta(days=1100), TODAY - timedelta(days=800))
    old = _customer(salon, "Lange", TODAY - timedelta(days=1100), TODAY - timedelta(days=500))
    runner = app.test_cli_runner()
    with factories.travel_to(_at(TODAY)):
        result = runner.invoke(args=["retention", "preview", "--salon", "salon-a"])
        what_if = runner.invoke(args=["retention", "preview", "--salon", "salon-a", "--months", "12"])
        page = login_as(salon.owner).get("/privacy/retention").get_data(as_text=True)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"K-{gone}", "1 customers due after 24 months (0 more on hold)"]
    assert what_if.output.splitlines()[:2] == [f"K-{gone}", f"K-{old}"] and f"K-{regular}" not in what_if.output
    assert "Weggezogen" in page and "Stammkundin" not in page and "Lange" not in page
    unknown = runner.invoke(args=["retention", "preview", "--salon", "nope"])
    assert unknown.exit_code != 0 and "no salon" in unknown.output


def test_create_owner_takes_the_state(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=[
            "create-owner",
            "--salon",
            "Salon M",
            "--slug",
            "salon-m",
            "--email",
            "o@m.test",
            "--state",
            "XX",
            "--password",
            "correct-horse-battery",
        ]
    )
    assert refused.exit_code != 0 and "--state" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Account)) == 0
    made = runner.invoke(
        args=[
            "create-owner",
            "--salon",
            "Salon M",
            "--slug",
            "salon-m",
            "--email",
            "o@m.test",
            "--state",
            "by",
            "--password",
            "correct-horse-battery",
        ]
    )
    assert made.exit_code == 0, made.output
    account = db.session.scalar(select(Account).where(Account.slug == "salon-m"))
    assert account.main_location.state == "BY"


def test_a_batch_finds_each_customers_earlier_addresses_and_clears_their_login_counters(salon, client):
    """The batch reads earlier addresses out of the history in the database, for many customers
    at once: each one's old and new address goes, a kept customer's stay."""
    ids, keeper = _population(salon, n=4)
    actor = Actor(salon.account.id, salon.owner.id)
    everyone = [*ids, keeper]
    for cid in everyone:
        customer = db.session.get(Customer, cid)
        with factories.travel_to(_at(date(2020, 3, 2))):
            update_customer(actor, customer, {"email": f"neu.{cid}@example.com"}, {})
        db.session.commit()
    old = {cid: f"inaktiv{i:02d}@example.com" for i, cid in enumerate(ids)} | {keeper: "aktiv@example.com"}
    for cid in everyone:  # someone tries both addresses at the staff login
        for address in (old[cid], f"neu.{cid}@example.com"):
            client.post("/login", data={"email": address, "password": "falsch-falsch-falsch"})
    assert all(lockout.failures(old[cid]) == 1 for cid in everyone)
    _switch_on(salon)
    run = retention.run_due(salon.account.id, TODAY, batch_size=3)
    assert (run.forgotten, run.batches) == (4, 2)
    for cid in ids:
        assert lockout.failures(old[cid]) == 0 and lockout.failures(f"neu.{cid}@example.com") == 0
    assert lockout.failures(old[keeper]) == 1 and lockout.failures(f"neu.{keeper}@example.com") == 1
