"""Bulk export: 100,000 customers with 15 fields against the database's own CSV dump of the same
columns in the same run (sqlite3's CSV mode, or PostgreSQL's COPY … TO STDOUT WITH CSV), and the
worker's peak memory at 1,000,000 customers (target under 150 MB)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from sqlalchemy import select, text

from bench.harness import DATA, ROOT, Services, report, seeded_database

FIELDS = ["id", "first_name", "last_name", "email", "phone", "birthday", "street", "postal_code", "city",
          "country", "notes", "created_at", "imported_at", "last_visit_at"]
BIG = int(os.environ.get("BENCH_EXPORT_BIG", "1000000"))

JOB = """
import resource, sys, time
from portal import create_app
from portal.config import TestConfig
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "TESTING": False,
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": sys.argv[2], "RATELIMIT_STORAGE_URI": sys.argv[2]})
with app.app_context():
    from portal.extensions import db
    from portal.exports.job import run_export
    started = time.perf_counter()
    assert run_export(int(sys.argv[3])) == "finished"
    seconds = time.perf_counter() - started
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _queued_export(app, fields) -> int:
    from portal.extensions import db
    from portal.models import Account, CustomerExport, CustomerFieldDefinition, Login

    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
        owner = db.session.scalar(select(Login).where(Login.email == "owner@demo.test"))
        custom = db.session.scalar(select(CustomerFieldDefinition.id).where(
            CustomerFieldDefinition.account_id == account.id))
        export = CustomerExport(account_id=account.id, requested_by_id=owner.id, recipient_login_id=owner.id,
                                fields=fields + ([f"custom:{custom}"] if custom else []), file_format="csv",
                                status="queued")
        db.session.add(export)
        db.session.commit()
        return export.id, account.id


def _database_dump(database: str, account_id: int) -> float:
    """The database's own CSV export of the same columns, timed."""
    columns = ", ".join(FIELDS)
    query = f"SELECT {columns} FROM customer WHERE account_id = {account_id} ORDER BY id"
    started = time.perf_counter()
    if database.startswith("sqlite"):
        path = database.split("///", 1)[1]
        if not shutil.which("sqlite3"):
            raise SystemExit("sqlite3 command not found: apt-get install sqlite3 (for the CSV-dump baseline)")
        subprocess.run(["sqlite3", "-csv", "-header", path, query], check=True, stdout=subprocess.DEVNULL)
    else:
        import psycopg

        with psycopg.connect(database.replace("postgresql+psycopg://", "postgresql://")) as conn:
            with conn.cursor().copy(f"COPY ({query}) TO STDOUT WITH CSV HEADER") as copy:
                for _block in copy:
                    pass
    return time.perf_counter() - started


def _big_database(customers: int) -> str:
    """Customers only (no appointments): enough to measure memory at a million rows."""
    path = DATA / f"customers-{customers}.sqlite"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    small = seeded_database(300, sqlite_only=True)
    partial = path.with_suffix(".partial")
    shutil.copy(small.split("///", 1)[1], partial)
    import sqlite3

    conn = sqlite3.connect(partial)
    account_id = conn.execute("SELECT id FROM account WHERE slug = 'salon-sonnenschein'").fetchone()[0]
    started = time.perf_counter()
    batch = []
    for n in range(customers):
        batch.append((account_id, f"Vorname{n % 997}", f"Nachname{n}", f"kunde{n}@example.com", f"+4917{n:09d}",
                      "Hauptstraße 1", "10115", "Berlin", "DE", "Notiz mit Umlauten: äöü", f"nachname{n}",
                      f"vorname{n % 997} nachname{n}", "2024-01-01 10:00:00.000000"))
        if len(batch) == 50000:
            conn.executemany("INSERT INTO customer (account_id, first_name, last_name, email, phone, street, "
                             "postal_code, city, country, notes, sort_name, search_text, created_at) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
            batch = []
    if batch:
        conn.executemany("INSERT INTO customer (account_id, first_name, last_name, email, phone, street, "
                         "postal_code, city, country, notes, sort_name, search_text, created_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
    conn.commit()
    conn.close()
    partial.rename(path)
    print(f"# added {customers} customers in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def _measure(database: str, redis_url: str) -> tuple[float, int, float]:
    """(export seconds, worker peak RSS in KiB, the database's own CSV dump in seconds)."""
    from bench.harness import portal_client
    from portal.extensions import db

    app, _client = portal_client(database, redis_url)
    export_id, account_id = _queued_export(app, FIELDS)
    dump = _database_dump(database, account_id)
    result = subprocess.run([sys.executable, "-c", JOB, database, redis_url, str(export_id)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    seconds, rss_kb = result.stdout.split()
    with app.app_context():
        db.session.execute(text("DELETE FROM export_chunk"))
        db.session.commit()
    return float(seconds), int(rss_kb), dump


def run() -> None:
    database = seeded_database(100000)
    with Services() as redis_url:
        seconds, rss_kb, dump = _measure(database, redis_url)
        report("export_100k_customers_15_fields", seconds, "s", dump)
        big_seconds, big_rss_kb, big_dump = _measure(_big_database(BIG), redis_url)
        report(f"export_{BIG}_customers_time", big_seconds, "s", big_dump)
        report(f"export_{BIG}_customers_peak_rss", big_rss_kb / 1024, "MB", 150)
        print(f"# worker process peak RSS at 100k: {rss_kb / 1024:.0f} MB; baseline of the memory line is "
              f"the 150 MB target; database {database.split(':', 1)[0]}", flush=True)
