"""The till and the activity rules at 100,000 customers.

1. A checkout with 5 lines (two services from the catalogue, two products, one at 7 %) through
   the real service and its commit — number, lines, payment, stamps, activity, history — beside
   a bare insert of one invoice row with 5 line rows and a commit, in the same run (aim: p95
   under 50 ms).
2. Automatic forgetting's due query and preview at 100,000 customers with 1,000,000
   appointments, beside the previous release's due query on its denormalised column (visit
   column, created/imported date, no invoice since, the same holds: the baseline of "within 2x"),
   for information beside the plain count on the stored column, and the same due count with
   activity computed live from appointments and invoices — what dropping the column would cost.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, insert, or_, select

from bench.harness import DATA, Services, portal_client, report, seeded_database, summary

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
APPOINTMENTS = int(os.environ.get("BENCH_APPOINTMENTS", "1000000"))
CHECKOUTS = 200


def _with_appointments(source: str) -> str:
    """A copy of the demo database grown to APPOINTMENTS appointments (built once, cached)."""
    template = DATA / f"checkout-{CUSTOMERS}-{APPOINTMENTS}.template.sqlite"
    if not template.exists():
        partial = template.with_suffix(".partial")
        shutil.copy(source.removeprefix("sqlite:///"), partial)
        conn = sqlite3.connect(partial)
        account_id, location_id = conn.execute(
            "SELECT a.id, l.id FROM account a JOIN location l ON l.account_id = a.id "
            "WHERE a.slug = 'salon-sonnenschein' ORDER BY l.id LIMIT 1"
        ).fetchone()
        ids = [row[0] for row in conn.execute("SELECT id FROM customer WHERE account_id = ?", (account_id,))]
        have = conn.execute("SELECT count(*) FROM appointment").fetchone()[0]
        rng = random.Random(11)
        now = datetime.now(UTC)
        started = time.perf_counter()
        for start in range(0, max(0, APPOINTMENTS - have), 50000):
            rows = []
            for _ in range(min(50000, APPOINTMENTS - have - start)):
                when = now - timedelta(days=rng.randrange(1, 1825), minutes=rng.randrange(0, 600))
                text = when.strftime("%Y-%m-%d %H:%M:%S.000000")
                rows.append(
                    (
                        account_id,
                        location_id,
                        rng.choice(ids),
                        text,
                        text,
                        rng.choice(("attended", "attended", "no_show", "cancelled")),
                        "",
                        text,
                    )
                )
            conn.executemany(
                "INSERT INTO appointment (account_id, location_id, customer_id, starts_at, ends_at, "
                "status, notes, created_at) VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
        conn.commit()
        conn.close()
        partial.rename(template)
        print(f"# grew to {APPOINTMENTS} appointments in {time.perf_counter() - started:.1f} s", flush=True)
    path = DATA / f"checkout-{CUSTOMERS}-{APPOINTMENTS}.sqlite"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _median_ms(call, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> None:
    database = _with_appointments(seeded_database(CUSTOMERS, sqlite_only=True))
    with Services() as redis_url:
        app, _client = portal_client(database, redis_url)
        from portal import activity
        from portal.audit import Actor
        from portal.checkout.service import CheckoutInput, LineInput, checkout
        from portal.extensions import db
        from portal.models import Account, Appointment, Customer, Invoice, InvoiceLine, LineKind, Login, Service
        from portal.retention import service as retention

        with app.app_context():
            account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
            started = time.perf_counter()
            activity.refresh_account(account.id)  # the grown appointments count, as a migration would
            db.session.commit()
            print(
                f"# activity of {CUSTOMERS} customers recomputed in {time.perf_counter() - started:.1f} s", flush=True
            )
            staff = db.session.scalar(select(Login).where(Login.email == "staff@demo.test"))
            services = db.session.scalars(select(Service).where(Service.account_id == account.id)).all()
            customer_ids = db.session.scalars(select(Customer.id).where(Customer.account_id == account.id)).all()
            location_id = account.main_location.id
            rng = random.Random(5)

            def five_lines():
                return [
                    LineInput(LineKind.SERVICE, service_id=rng.choice(services).id),
                    LineInput(LineKind.SERVICE, service_id=rng.choice(services).id),
                    LineInput(LineKind.PRODUCT, description="Haaröl", unit_price_cents=1890),
                    LineInput(LineKind.PRODUCT, description="Shampoo", unit_price_cents=990, vat_rate_permille=190),
                    LineInput(LineKind.PRODUCT, description="Fachbuch", unit_price_cents=2400, vat_rate_permille=70),
                ]

            def till(n: int) -> None:
                checkout(
                    Actor(account.id, staff.id),
                    CheckoutInput(
                        location_id=location_id,
                        key=f"bench-{n}-{time.time_ns()}",
                        lines=five_lines(),
                        customer_id=rng.choice(customer_ids),
                        method="card",
                    ),
                )
                db.session.commit()

            def bare_insert(n: int) -> None:
                invoice_id = db.session.execute(
                    insert(Invoice).returning(Invoice.id),
                    [
                        {
                            "account_id": account.id,
                            "location_id": location_id,
                            "number": f"BARE-{n}-{time.time_ns()}",
                            "issued_at": datetime.now(UTC),
                            "status": "paid",
                            "total_cents": 1000,
                            "billed_name": "x",
                        }
                    ],
                ).scalar_one()
                db.session.execute(
                    insert(InvoiceLine),
                    [
                        {
                            "account_id": account.id,
                            "invoice_id": invoice_id,
                            "description": "x",
                            "quantity": 1,
                            "unit_price_cents": 200,
                            "vat_rate_permille": 190,
                        }
                        for _ in range(5)
                    ],
                )
                db.session.commit()

            samples = {"checkout": [], "bare": []}
            for n in range(10):  # warm-up
                till(-n - 1)
                bare_insert(-n - 1)
            for n in range(CHECKOUTS):  # alternating, so both see the same machine
                for name, call in (("checkout", till), ("bare", bare_insert)):
                    started = time.perf_counter()
                    call(n)
                    samples[name].append((time.perf_counter() - started) * 1000)
            result, baseline = summary(samples["checkout"]), summary(samples["bare"])
            report("checkout_5_lines_p50", result["p50"], "ms", baseline["p50"])
            report("checkout_5_lines_p95", result["p95"], "ms", baseline["p95"])

            account.retention_months = 24
            db.session.commit()
            today = account.today()
            since = retention.cutoff(account, today)

            def due():
                return db.session.scalar(
                    select(func.count()).select_from(retention.due_query(account, today).subquery())
                )

            def previous_release():
                """The due query as it was before the till: the visit column (renamed to the
                activity column), created or imported before the cutoff, no invoice since, the holds."""
                holds = [~condition for _label, condition in retention._holds(today)]
                return db.session.scalar(
                    select(func.count()).select_from(
                        select(Customer.id)
                        .where(
                            Customer.account_id == account.id,
                            or_(Customer.last_activity_at.is_(None), Customer.last_activity_at < since),
                            func.coalesce(Customer.imported_at, Customer.created_at) < since,
                            ~exists().where(Invoice.customer_id == Customer.id, Invoice.issued_at >= since),
                            *holds,
                        )
                        .subquery()
                    )
                )

            def column_only():
                return db.session.scalar(
                    select(func.count())
                    .select_from(Customer)
                    .where(
                        Customer.account_id == account.id,
                        or_(Customer.last_activity_at.is_(None), Customer.last_activity_at < since),
                    )
                )

            def computed_live():
                live = activity.activity_expression()
                return db.session.scalar(
                    select(func.count())
                    .select_from(Customer)
                    .where(Customer.account_id == account.id, or_(live.is_(None), live < since))
                )

            assert column_only() == computed_live(), "the stored activity differs from its definition"
            previous_ms, plain_ms = _median_ms(previous_release), _median_ms(column_only)
            report("retention_due_count", _median_ms(due), "ms", previous_ms)
            report("retention_preview_page", _median_ms(lambda: retention.preview(account)), "ms", previous_ms)
            report("retention_due_count_vs_plain_column_count", _median_ms(due), "ms", plain_ms)
            report("activity_computed_live_count", _median_ms(computed_live, 3), "ms", previous_ms)
            appointments = db.session.scalar(select(func.count()).select_from(Appointment))
            print(
                f"# {CHECKOUTS} checkouts of 5 lines beside a bare 1+5-row insert, alternating; due query, "
                f"preview (200 rows) and live activity beside the previous release's due query; {CUSTOMERS} "
                f"customers, {appointments} appointments, {due()} due; sqlite",
                flush=True,
            )
