"""Automatic forgetting of 100,000 inactive customers (each with 10 appointments and 20 history
events), beside the floor: the hand-written SQL statements that reach the same end state
(customers and their personal rows deleted, history redacted, one erasure record per customer,
appointments and invoices detached), run in one transaction on a copy of the same database.
Aim: within 2x. SQLite by default; PostgreSQL when DATABASE_URL names one (its databases are
copied from a template database built once)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bench.harness import DATA, Services, flask_command, portal_client, report, seeded_database

CUSTOMERS = int(os.environ.get("BENCH_RETENTION_CUSTOMERS", "100000"))
OLD = "2019-03-01 10:00:00.000000"
CUSTOMER_COLUMNS = (
    "id, account_id, first_name, last_name, email, phone, street, postal_code, city, country, notes, "
    "sort_name, search_text, created_at"
)
APPOINTMENT_COLUMNS = "account_id, location_id, customer_id, employee_id, starts_at, ends_at, status, notes, created_at"
EVENT_COLUMNS = (
    "account_id, occurred_at, category, action, entity_type, entity_id, customer_id, changes, summary, "
    "request_id, ip, user_agent"
)


def _rows(account_id: int, location_id: int, employee_id: int, first: int):
    """(customers, appointments, events) as row generators."""
    customers = (
        (first + n, account_id, "Inaktiv", f"Kundin{n}", f"inaktiv{n}@example.com", f"+4917{n:09d}", "Weg 1")
        + ("10115", "Berlin", "DE", "Notiz", f"kundin{n}", f"inaktiv kundin{n}", OLD)
        for n in range(CUSTOMERS)
    )
    appointments = (
        (account_id, location_id, first + n, employee_id, OLD, OLD, "attended", "Notiz", OLD)
        for n in range(CUSTOMERS)
        for _ in range(10)
    )
    changes = json.dumps({"phone": {"old": "+491700000000", "new": "+491700000001"}})
    events = (
        (account_id, OLD, "customer", "updated", "customer", first + n, first + n, changes, "Inaktiv Kundin")
        + ("", "127.0.0.1", "")
        for n in range(CUSTOMERS)
        for _ in range(20)
    )
    return customers, appointments, events


SALON = (
    "SELECT a.id, l.id, (SELECT min(id) FROM employee e WHERE e.account_id = a.id), "
    "(SELECT coalesce(max(id), 0) + 1 FROM customer) FROM account a JOIN location l ON l.account_id = a.id "
    "WHERE a.slug = 'salon-sonnenschein' ORDER BY l.id LIMIT 1"
)


def _sqlite_template() -> str:
    template = DATA / f"retention-{CUSTOMERS}.template.sqlite"
    if not template.exists():
        small = seeded_database(300, sqlite_only=True).split("///", 1)[1]
        partial = template.with_suffix(".partial")
        shutil.copy(small, partial)
        conn = sqlite3.connect(partial)
        customers, appointments, events = _rows(*conn.execute(SALON).fetchone())
        conn.executemany(f"INSERT INTO customer ({CUSTOMER_COLUMNS}) VALUES ({','.join('?' * 14)})", customers)
        conn.executemany(f"INSERT INTO appointment ({APPOINTMENT_COLUMNS}) VALUES ({','.join('?' * 9)})", appointments)
        conn.executemany(f"INSERT INTO audit_event ({EVENT_COLUMNS}) VALUES ({','.join('?' * 12)})", events)
        conn.commit()
        conn.close()
        partial.rename(template)
    return str(template)


def _postgres_template(database: str) -> str:
    import psycopg

    base, name = database.rsplit("/", 1)
    template = f"{name}_retention_{CUSTOMERS}"
    with psycopg.connect(_plain(database), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone():
            flask_command(f"{base}/{template}", "db", "upgrade")
            return template
        conn.execute(f'DROP DATABASE IF EXISTS "{template}_partial"')
        conn.execute(f'CREATE DATABASE "{template}_partial"')
    partial = f"{base}/{template}_partial"
    flask_command(partial, "db", "upgrade")
    flask_command(partial, "demo", "seed", "--customers", "300")
    with psycopg.connect(_plain(partial)) as conn:
        customers, appointments, events = _rows(*conn.execute(SALON).fetchone())
        for table, columns, rows in (
            ("customer", CUSTOMER_COLUMNS, customers),
            ("appointment", APPOINTMENT_COLUMNS, appointments),
            ("audit_event", EVENT_COLUMNS, events),
        ):
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.execute("SELECT setval(pg_get_serial_sequence('customer', 'id'), (SELECT max(id) FROM customer))")
    with psycopg.connect(_plain(database), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{template}_partial" RENAME TO "{template}"')
    with psycopg.connect(_plain(f"{base}/{template}"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return template


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _fresh_copy(label: str) -> str:
    """A new copy of the seeded database (every run forgets its customers)."""
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgresql"):
        path = DATA / f"retention-{CUSTOMERS}-{label}.sqlite"
        shutil.copy(_sqlite_template(), path)
        return f"sqlite:///{path}"
    import psycopg

    template = _postgres_template(database)
    base, _name = database.rsplit("/", 1)
    with psycopg.connect(_plain(database), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}_{label}"')
        conn.execute(f'CREATE DATABASE "{template}_{label}" TEMPLATE "{template}"')
    return f"{base}/{template}_{label}"


REDACT = {
    "sqlite": "(SELECT coalesce(json_group_object(key, CASE WHEN type = 'object' "
    'THEN json(\'{"old": "[gelöscht]", "new": "[gelöscht]"}\') ELSE \'[gelöscht]\' END), \'{}\') '
    "FROM json_each(audit_event.changes))",
    "postgresql": "(SELECT coalesce(json_object_agg(key, CASE WHEN json_typeof(value) = 'object' "
    'THEN \'{"old": "[gelöscht]", "new": "[gelöscht]"}\'::json ELSE to_json(\'[gelöscht]\'::text) END), '
    "'{}'::json) FROM json_each(audit_event.changes))",
}


def _floor_statements(dialect: str, account_id: int, due_sql: str) -> list[str]:
    """The least a database must do for the same end state, written by hand."""
    gone = "(SELECT id FROM gone)"
    now = "CURRENT_TIMESTAMP"
    statements = [
        f"CREATE TEMP TABLE gone AS {due_sql}",
        f"UPDATE invoice SET billed_name = (SELECT trim(first_name || ' ' || last_name) FROM customer c "
        f"WHERE c.id = invoice.customer_id), customer_id = NULL WHERE customer_id IN {gone}",
        f"UPDATE appointment SET customer_id = NULL, notes = '' WHERE customer_id IN {gone}",
        f"UPDATE voucher SET customer_id = NULL WHERE customer_id IN {gone}",
        f"UPDATE message SET customer_id = NULL WHERE customer_id IN {gone}",
        f"UPDATE consent_log SET customer_id = NULL, ip = '' WHERE customer_id IN {gone}",
        f"UPDATE privacy_request SET customer_id = NULL, message = '' WHERE customer_id IN {gone}",
        f"UPDATE audit_event SET changes = {REDACT[dialect]}, summary = '[gelöscht]', redacted_at = {now}, "
        f"ip = '', user_agent = '' WHERE account_id = {account_id} AND customer_id IN {gone}",
    ]
    statements += [
        f"DELETE FROM {table} WHERE customer_id IN {gone}"
        for table in (
            "customer_hold",
            "consent",
            "customer_field_value",
            "stamp_card",
            "signed_document",
            "tablet_session",
            "breach_notice",
        )
    ]
    statements += [
        f"INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT {account_id}, {now}, 'customer', 'erased', 'customer', "
        f"id, NULL, '{{\"deleted\": {{\"customer_file\": 1}}}}', 'K-' || id, '', '', '' FROM gone",
        f"DELETE FROM customer WHERE id IN {gone}",
    ]
    return statements


def _floor(database: str, account_id: int, due_sql: str) -> float:
    """Seconds for the hand-written statements, in one transaction, committed."""
    if database.startswith("sqlite"):
        conn = sqlite3.connect(database.split("///", 1)[1], isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        started = time.perf_counter()
        conn.execute("BEGIN")
        for statement in _floor_statements("sqlite", account_id, due_sql):
            conn.execute(statement)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        conn.close()
        return seconds
    import psycopg

    with psycopg.connect(_plain(database)) as conn:
        started = time.perf_counter()
        for statement in _floor_statements("postgresql", account_id, due_sql):
            conn.execute(statement)
        conn.commit()
        return time.perf_counter() - started


def _end_state(app) -> dict:
    """What both must leave: the same counts, or the floor is not the floor."""
    from sqlalchemy import text

    from portal.extensions import db

    with app.app_context():
        return {
            "customers": db.session.scalar(text("SELECT count(*) FROM customer")),
            "detached_appointments": db.session.scalar(
                text("SELECT count(*) FROM appointment WHERE customer_id IS NULL")
            ),
            "redacted_events": db.session.scalar(
                text("SELECT count(*) FROM audit_event WHERE redacted_at IS NOT NULL")
            ),
            "erasure_records": db.session.scalar(text("SELECT count(*) FROM audit_event WHERE action = 'erased'")),
            "names_left": db.session.scalar(text("SELECT count(*) FROM audit_event WHERE changes LIKE '%+49170%'"))
            if db.engine.dialect.name == "sqlite"
            else db.session.scalar(text("SELECT count(*) FROM audit_event WHERE changes::text LIKE '%+49170%'")),
        }


def _switch_on(app):
    """Automatic forgetting at 24 months, switched on two days ago; returns (account id, due SQL, due)."""
    from sqlalchemy import func

    from portal.extensions import db
    from portal.models import Account
    from portal.retention import service as retention

    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.slug == "salon-sonnenschein"))
        account.retention_months = 24
        account.retention_since = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
        query = retention.due_query(account, date.today())
        due = db.session.scalar(select(func.count()).select_from(query.subquery()))
        return account.id, str(query.compile(db.engine, compile_kwargs={"literal_binds": True})), due


def run() -> None:
    from portal.retention import service as retention

    with Services() as redis_url:
        floor_app, _client = portal_client(_fresh_copy("floor"), redis_url)
        account_id, due_sql, due = _switch_on(floor_app)
        floor = _floor(floor_app.config["SQLALCHEMY_DATABASE_URI"], account_id, due_sql)
        floor_state = _end_state(floor_app)

        app, _client = portal_client(_fresh_copy("run"), redis_url)
        _switch_on(app)
        with app.app_context():
            started = time.perf_counter()
            finished = retention.run_due(account_id, date.today())
            seconds = time.perf_counter() - started
            forgotten, batches = finished.forgotten, finished.batches
        state = _end_state(app)
        dialect = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]
        print(f"# end state: portal {state}; floor {floor_state}", flush=True)
        if state != floor_state or state["names_left"]:
            raise SystemExit("the run and the floor did not reach the same end state")
        report("retention_run_seconds", seconds, "s", floor)
        report("retention_customers_per_second", forgotten / seconds, "customers/s", due / floor)
        print(
            f"# {forgotten} of {due} due customers forgotten in {batches} batches of {retention.BATCH}; "
            f"baseline: the hand-written SQL for the same end state in one transaction; database {dialect}",
            flush=True,
        )
