"""Bulk export: 100,000 customers with 15 fields against the database's own CSV dump of the same
columns in the same run (sqlite3's CSV mode, or PostgreSQL's COPY … TO STDOUT WITH CSV), and the
worker's peak memory at 1,000,000 customers (issue 22: under 100 MB)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

from sqlalchemy import select, text

from bench.harness import DATA, JOB_END, JOB_START, ROOT, Services, flask_command, report, seeded_database
from portal.customers.service import STANDARD_FIELDS

FIELDS = [
    "id",
    *STANDARD_FIELDS,
    "created_at",
    "imported_at",
    "last_activity_at",
]
BIG = int(os.environ.get("BENCH_EXPORT_BIG", "1000000"))
RUNS = 11  # medians of eleven alternating runs
BIG_RUNS = 3  # and of three at a million customers
PEAK_TARGET_MB = 100  # the work horse at a million customers (issue 22)

JOB = (
    JOB_START
    + """
with app.app_context():
    from portal.exports.build import run_export
    started = time.perf_counter()
    assert run_export(int(sys.argv[3])) == "finished"
    seconds = time.perf_counter() - started
"""
    + JOB_END
)


def _queued_export(app, fields) -> tuple[int, int, int | None]:
    """A confirmed export of the standard fields and the salon's first own field (its colour
    recipes: free text with commas and line breaks): (export id, account id, field id)."""
    from portal.extensions import db
    from portal.models import Account, CustomerExport, CustomerFieldDefinition, Login

    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
        owner = db.session.scalar(select(Login).where(Login.email == "owner@demo.test"))
        custom = db.session.scalar(
            select(CustomerFieldDefinition.id)
            .where(CustomerFieldDefinition.account_id == account.id)
            .order_by(CustomerFieldDefinition.position)
        )
        export = CustomerExport(
            account_id=account.id,
            requested_by_id=owner.id,
            recipient_login_id=owner.id,
            fields=fields + ([f"custom:{custom}"] if custom else []),
            file_format="csv",
            status="queued",
        )
        db.session.add(export)
        db.session.commit()
        return export.id, account.id, custom


def _database_dump(database: str, account_id: int, custom_field: int | None) -> float:
    """The database's own CSV export of the same columns (the salon's own field joined in), timed."""
    columns = ", ".join(f"c.{field}" for field in FIELDS)
    join = ""
    if custom_field:
        columns += ", v.value"
        join = f"LEFT JOIN customer_field_value v ON v.customer_id = c.id AND v.field_id = {int(custom_field)}"
    query = f"SELECT {columns} FROM customer c {join} WHERE c.account_id = {int(account_id)} ORDER BY c.id"
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


CUSTOMER_COLUMNS = (
    "account_id, first_name, last_name, email, phone, street, postal_code, city, country, notes, "
    "sort_name, search_text, created_at"
)


def _big_customers(account_id: int, customers: int):
    for n in range(customers):
        yield (
            account_id,
            f"Vorname{n % 997}",
            f"Nachname{n}",
            f"kunde{n}@example.com",
            f"+4917{n:09d}",
            "Hauptstraße 1",
            "10115",
            "Berlin",
            "DE",
            "Notiz mit Umlauten: äöü, und Komma" if n % 4 else "",
            f"nachname{n}",
            f"vorname{n % 997} nachname{n}",
            "2024-01-01 10:00:00.000000",
        )


def _big_database(customers: int, database: str) -> str:
    """The demo salon with `customers` more customers (no appointments): enough to measure the
    worker's memory at a million rows, on the same kind of database as the main measure."""
    if database.startswith("postgresql"):
        return _big_postgres(customers, database)
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
    conn.executemany(
        f"INSERT INTO customer ({CUSTOMER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        _big_customers(account_id, customers),
    )
    conn.commit()
    conn.close()
    partial.rename(path)
    print(f"# added {customers} customers in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def _big_postgres(customers: int, database: str) -> str:
    """A database of its own next to DATABASE_URL's, built once: migrated, demo-seeded, then the
    customers copied in."""
    import psycopg

    base, name = database.rsplit("/", 1)
    big_name = f"{name}_customers_{customers}"
    url = f"{base}/{big_name}"
    plain = database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (big_name,)).fetchone():
            flask_command(url, "db", "upgrade")  # built by an earlier run: the migrations added since
            return url
        conn.execute(f'DROP DATABASE IF EXISTS "{big_name}_partial"')  # left by an interrupted build
        conn.execute(f'CREATE DATABASE "{big_name}_partial"')
    partial = f"{base}/{big_name}_partial"
    flask_command(partial, "db", "upgrade")
    flask_command(partial, "demo", "seed", "--customers", "300")
    started = time.perf_counter()
    with psycopg.connect(partial.replace("postgresql+psycopg://", "postgresql://")) as conn:
        account_id = conn.execute("SELECT id FROM account WHERE slug = 'salon-sonnenschein'").fetchone()[0]
        with conn.cursor().copy(f"COPY customer ({CUSTOMER_COLUMNS}) FROM STDIN") as copy:
            for row in _big_customers(account_id, customers):
                copy.write_row(row)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{big_name}_partial" RENAME TO "{big_name}"')
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # autovacuum's steady state, whatever this machine's setting
    print(f"# added {customers} customers in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def _measure(database: str, redis_url: str, runs: int) -> tuple[float, int, float]:
    """Median export seconds, the worker's peak RSS in KiB, median seconds of the database's own
    CSV dump; export and dump alternate so both see the same machine (shared CPUs are noisy)."""
    from bench.harness import portal_client
    from portal.extensions import db

    app, _client = portal_client(database, redis_url)
    exports, dumps, peak = [], [], 0
    for _run in range(runs):
        export_id, account_id, custom_field = _queued_export(app, FIELDS)
        dumps.append(_database_dump(database, account_id, custom_field))
        # A fresh process per run, as each export runs in a freshly forked work horse.
        result = subprocess.run(
            [sys.executable, "-c", JOB, database, redis_url, str(export_id)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, rss_kb = result.stdout.split()
        exports.append(float(seconds))
        peak = max(peak, int(rss_kb))
        with app.app_context():
            db.session.execute(text("DELETE FROM export_chunk"))
            db.session.commit()
    return statistics.median(exports), peak, statistics.median(dumps)


def run() -> None:
    database = seeded_database(100000)
    with Services() as redis_url:
        seconds, rss_kb, dump = _measure(database, redis_url, RUNS)
        report("export_100k_customers_15_fields", seconds, "s", dump)
        big_seconds, big_rss_kb, big_dump = _measure(_big_database(BIG, database), redis_url, BIG_RUNS)
        report(f"export_{BIG}_customers_time", big_seconds, "s", big_dump)
        report(f"export_{BIG}_customers_peak_rss", big_rss_kb / 1024, "MB", PEAK_TARGET_MB)
        print(
            f"# worker process peak RSS at 100k: {rss_kb / 1024:.0f} MB; baseline of the memory line is "
            f"the {PEAK_TARGET_MB} MB target; database {database.split(':', 1)[0]}",
            flush=True,
        )
