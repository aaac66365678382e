"""Privacy requests: erasing a customer with 1,000 appointments, 200 invoices and 5,000 history
events (target < 300 ms), building their access package (target < 2 s), and the inbox page
with 10,000 requests (target p95 < 50 ms). Baselines in the same run: a plain read of the same
rows for erasure and package, the bare Flask route for the inbox."""

from __future__ import annotations

import os
import random
import secrets
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from bench.harness import Services, bare_app, portal_client, report, seeded_database, summary, time_beside

HEAVY = int(os.environ.get("BENCH_HEAVY_CUSTOMERS", "5"))
REQUESTS = 200
PASSES = 3


RUN = secrets.token_hex(3)


def _heavy_customer(db, models, account_id: int, location_id: int, employee_id: int, n: int) -> int:
    now = datetime.now(UTC)
    customer = models.Customer(
        account_id=account_id,
        first_name="Heavy",
        last_name=f"Kundin{n}",
        email=f"heavy{n}@example.com",
        phone=f"+49170555{n:04d}",
        sort_name=f"kundin{n} heavy",
        search_text=f"heavy kundin{n}",
    )
    db.session.add(customer)
    db.session.flush()
    cid = customer.id
    db.session.execute(
        insert(models.Appointment),
        [
            {
                "account_id": account_id,
                "location_id": location_id,
                "customer_id": cid,
                "employee_id": employee_id,
                "starts_at": now - timedelta(days=i + 1),
                "ends_at": now - timedelta(days=i + 1) + timedelta(hours=1),
                "status": "attended",
                "notes": "Notiz",
            }
            for i in range(1000)
        ],
    )
    invoice_ids = [
        row[0]
        for row in db.session.execute(
            insert(models.Invoice).returning(models.Invoice.id),
            [
                {
                    "account_id": account_id,
                    "location_id": location_id,
                    "customer_id": cid,
                    # Unique per run: the erased heavy customers' invoices stay in the cached database.
                    "number": f"H{RUN}-{n}-{i}",
                    "issued_at": now - timedelta(days=5 * i + 1),
                    "status": "paid",
                    "total_cents": 4900,
                    "billed_name": f"Heavy Kundin{n}",
                }
                for i in range(200)
            ],
        )
    ]
    db.session.execute(
        insert(models.InvoiceLine),
        [
            {
                "account_id": account_id,
                "invoice_id": iid,
                "description": "Schnitt",
                "quantity": 1,
                "unit_price_cents": 4900,
                "vat_rate_permille": 190,
            }
            for iid in invoice_ids
        ],
    )
    db.session.execute(
        insert(models.AuditEvent),
        [
            {
                "account_id": account_id,
                "occurred_at": now - timedelta(minutes=i),
                "category": "customer" if i % 2 else "access",
                "action": "updated" if i % 2 else "viewed",
                "entity_type": "customer",
                "entity_id": cid,
                "customer_id": cid,
                "changes": {"phone": {"old": "+491700000000", "new": f"+49170555{n:04d}"}},
                "summary": f"Heavy Kundin{n}",
                "request_id": "",
                "ip": "127.0.0.1",
                "user_agent": "",
            }
            for i in range(5000)
        ],
    )
    db.session.commit()
    return cid


def _plain_read(db, cid: int) -> None:
    """Baseline: read every row the erasure touches, nothing else — through the indexes the
    portal uses (the history's leads with the salon: by customer alone it was a scan of every
    event, a baseline that grew with each run's events)."""
    for table in ("appointment", "invoice"):
        db.session.execute(text(f"SELECT * FROM {table} WHERE customer_id = :c"), {"c": cid}).all()
    db.session.execute(
        text(
            "SELECT * FROM audit_event WHERE account_id = (SELECT account_id FROM customer WHERE id = :c) AND customer_id = :c"
        ),
        {"c": cid},
    ).all()


def _package_read(db, cid: int) -> None:
    """Baseline of the package: a plain read of every row it holds (the erasure's rows, the
    invoices' lines and payments, the consents and requests), nothing else."""
    _plain_read(db, cid)
    for table in ("invoice_line", "invoice_payment"):
        db.session.execute(
            text(f"SELECT t.* FROM {table} t JOIN invoice i ON i.id = t.invoice_id WHERE i.customer_id = :c"),
            {"c": cid},
        ).all()
    for table in ("consent_log", "consent", "privacy_request", "voucher", "customer_field_value", "signed_document"):
        db.session.execute(text(f"SELECT * FROM {table} WHERE customer_id = :c"), {"c": cid}).all()


def run() -> None:
    database = seeded_database(300)
    with Services() as redis_url:
        app, client = portal_client(database, redis_url)
        from jobs.worker import preload_and_freeze
        from portal import models
        from portal.audit import Actor
        from portal.extensions import db
        from portal.requests.access import build_package
        from portal.requests.erasure import erase_customer

        with app.app_context():
            account = db.session.scalar(select(models.Account).where(models.Account.slug == "salon-sonnenschein"))
            location_id = account.locations[0].id
            employee_id = db.session.scalar(select(models.Employee.id).where(models.Employee.account_id == account.id))
            owner_id = db.session.scalar(select(models.Login.id).where(models.Login.email == "owner@demo.test"))
            # The inbox: 10,000 requests (once; the cached database keeps them).
            if db.session.scalar(text("SELECT count(*) FROM privacy_request")) < 10000:
                rng = random.Random(5)
                kinds = ("access", "portability", "correction", "erasure", "restriction", "objection")
                statuses = ("new", "in_progress", "done", "done", "rejected")
                db.session.execute(
                    insert(models.PrivacyRequest),
                    [
                        {
                            "account_id": account.id,
                            "location_id": location_id,
                            "kind": rng.choice(kinds),
                            "channel": "online",
                            "status": rng.choice(statuses),
                            "email": f"r{i}@example.com",
                            "received_at": datetime.now(UTC) - timedelta(days=rng.randrange(0, 400)),
                            "due_on": date.today() + timedelta(days=rng.randrange(-30, 31)),
                            "locale": "de",
                            "message": "",
                            "staff_note": "",
                            "extension_months": 0,
                            "extension_reason": "",
                            "rejection_reason": "",
                            "outcome": "",
                            "certificate": {},
                            "reminders": [],
                            "email_hash": "",
                        }
                        for i in range(10000)
                    ],
                )
                db.session.commit()
            heavy = [_heavy_customer(db, models, account.id, location_id, employee_id, n) for n in range(HEAVY)]
            actor = Actor(account.id, owner_id)

            # The package is built by a work horse of the worker, which prepares itself this way.
            preload_and_freeze(app)
            package_ms, package_base = [], []
            for cid in heavy:
                customer = db.session.get(models.Customer, cid)
                request = models.PrivacyRequest(
                    account_id=account.id,
                    location_id=location_id,
                    customer_id=cid,
                    kind="access",
                    status="in_progress",
                    locale="de",
                )
                db.session.add(request)
                db.session.flush()
                # A few times each, taking turns: one pass on a shared machine is a coin toss.
                for _ in range(PASSES):
                    db.session.expire_all()
                    started = time.perf_counter()
                    _package_read(db, cid)
                    package_base.append((time.perf_counter() - started) * 1000)
                    db.session.expire_all()
                    started = time.perf_counter()
                    size = len(build_package(request, customer))
                    package_ms.append((time.perf_counter() - started) * 1000)
            db.session.commit()

            erase_ms, erase_base = [], []
            for cid in heavy:
                started = time.perf_counter()
                _plain_read(db, cid)
                erase_base.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                erase_customer(actor, db.session.get(models.Customer, cid))
                db.session.commit()
                erase_ms.append((time.perf_counter() - started) * 1000)

        report("erasure_heavy_customer_median", statistics.median(erase_ms), "ms", statistics.median(erase_base))
        report("erasure_heavy_customer_max", max(erase_ms), "ms", max(erase_base))
        report(
            "access_package_heavy_customer_median", statistics.median(package_ms), "ms", statistics.median(package_base)
        )
        report("access_package_heavy_customer_max", max(package_ms), "ms", max(package_base))

        views = [("open", None), ("open", "erasure"), ("done", None), ("open", "access"), ("rejected", None)]

        def inbox(n: int):
            view, kind = views[n % len(views)]
            url = f"/privacy/requests?view={view}" + (f"&kind={kind}" if kind else "")
            assert client.get(url).status_code == 200

        page = client.get("/privacy/requests")
        bare = bare_app(50, max(0, len(page.data) - 8000)).test_client()
        samples, base = time_beside(inbox, lambda n: bare.get("/bare"), REQUESTS)
        result, baseline = summary(samples), summary(base)
        report("inbox_10000_requests_p50", result["p50"], "ms", baseline["p50"])
        report("inbox_10000_requests_p95", result["p95"], "ms", baseline["p95"])
        print(
            f"# {HEAVY} heavy customers (1,000 appointments, 200 invoices, 5,000 history events each); "
            f"package {size // 1024} KiB; inbox of 10,000 requests, page {len(page.data)} bytes; "
            f"database {database.split(':', 1)[0]}",
            flush=True,
        )
