"""Automatic forgetting of 100,000 inactive customers (each with 10 appointments and 20 history
events): customers per second, beside a single set-based SQL UPDATE of the same customer rows
in the same run (aim: within 3x)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text

from bench.harness import DATA, Services, portal_client, report, seeded_database

CUSTOMERS = int(os.environ.get("BENCH_RETENTION_CUSTOMERS", "100000"))


def _database() -> str:
    path = DATA / f"retention-{CUSTOMERS}.sqlite"
    if path.exists():
        path.unlink()  # every run forgets them; start from a fresh copy
    template = DATA / f"retention-{CUSTOMERS}.template.sqlite"
    if not template.exists():
        small = seeded_database(300, sqlite_only=True).split("///", 1)[1]
        partial = template.with_suffix(".partial")
        shutil.copy(small, partial)
        conn = sqlite3.connect(partial)
        account_id, location_id = conn.execute(
            "SELECT a.id, l.id FROM account a JOIN location l ON l.account_id = a.id "
            "WHERE a.slug = 'salon-sonnenschein' ORDER BY l.id LIMIT 1"
        ).fetchone()
        employee_id = conn.execute("SELECT id FROM employee WHERE account_id = ?", (account_id,)).fetchone()[0]
        started = time.perf_counter()
        first = conn.execute("SELECT coalesce(max(id), 0) FROM customer").fetchone()[0] + 1
        old = "2019-03-01 10:00:00.000000"
        conn.executemany(
            "INSERT INTO customer (id, account_id, first_name, last_name, email, phone, street, postal_code, city, "
            "country, notes, sort_name, search_text, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    first + n,
                    account_id,
                    "Inaktiv",
                    f"Kundin{n}",
                    f"inaktiv{n}@example.com",
                    f"+4917{n:09d}",
                    "Weg 1",
                    "10115",
                    "Berlin",
                    "DE",
                    "Notiz",
                    f"kundin{n}",
                    f"inaktiv kundin{n}",
                    old,
                )
                for n in range(CUSTOMERS)
            ],
        )
        conn.executemany(
            "INSERT INTO appointment (account_id, location_id, customer_id, employee_id, starts_at, ends_at, status, "
            "notes, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (account_id, location_id, first + n, employee_id, old, old, "attended", "Notiz", old)
                for n in range(CUSTOMERS)
                for _ in range(10)
            ],
        )
        changes = json.dumps({"phone": {"old": "+491700000000", "new": "+491700000001"}})
        conn.executemany(
            "INSERT INTO audit_event (account_id, occurred_at, category, action, entity_type, entity_id, customer_id, "
            "changes, summary, request_id, ip, user_agent) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    account_id,
                    old,
                    "customer",
                    "updated",
                    "customer",
                    first + n,
                    first + n,
                    changes,
                    "Inaktiv Kundin",
                    "",
                    "127.0.0.1",
                    "",
                )
                for n in range(CUSTOMERS)
                for _ in range(20)
            ],
        )
        conn.commit()
        conn.close()
        partial.rename(template)
        print(
            f"# seeded {CUSTOMERS} inactive customers, {CUSTOMERS * 10} appointments, "
            f"{CUSTOMERS * 20} history events in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def run() -> None:
    database = _database()
    with Services() as redis_url:
        app, _client = portal_client(database, redis_url)
        from portal.extensions import db
        from portal.models import Account
        from portal.retention import service as retention

        with app.app_context():
            account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
            account.retention_months = 24
            account.retention_since = datetime.now(UTC) - timedelta(days=2)
            db.session.commit()
            today = date.today()
            due = db.session.scalar(
                select(text("count(*)")).select_from(retention.due_query(account, today).subquery())
            )
            # Baseline: one set-based UPDATE of the same customer rows, rolled back.
            started = time.perf_counter()
            db.session.execute(
                text(
                    "UPDATE customer SET first_name = '', last_name = '-', email = NULL, phone = NULL, notes = '' "
                    "WHERE id IN ("
                    + str(retention.due_query(account, today).compile(compile_kwargs={"literal_binds": True}))
                    + ")"
                )
            )
            baseline = time.perf_counter() - started
            db.session.rollback()
            started = time.perf_counter()
            run = retention.run_due(account.id, today)
            seconds = time.perf_counter() - started
            forgotten, batches = run.forgotten, run.batches
        report("retention_customers_per_second", forgotten / seconds, "customers/s", due / baseline)
        report("retention_run_seconds", seconds, "s", baseline)
        print(
            f"# {forgotten} of {due} due customers forgotten in {batches} batches of {retention.BATCH}; "
            f"baseline: one UPDATE of the same {due} customer rows; database sqlite",
            flush=True,
        )
