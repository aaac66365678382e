"""The query plans of the main pages (issue 22, part 2), for the README: each page requested
once, and each of its own statements (not those every page runs: the login, the navigation's
badges) printed with its time and its plan as the database gives it (SQLite's EXPLAIN QUERY
PLAN, PostgreSQL's EXPLAIN). SQLite by default, PostgreSQL when DATABASE_URL names one
(seeded like the other benchmarks)."""

from __future__ import annotations

import os
import re
import time

from sqlalchemy import event

from bench.harness import Services, portal_client, seeded_database

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))


def _pages(client) -> dict:
    some_customer = re.search(r'href="/customers/(\d+)"', client.get("/customers").get_data(as_text=True))[1]
    htmx = {"HX-Request": "true"}
    return {
        "customer list": lambda: client.get("/customers"),
        "search (rare name)": lambda: client.post("/customers/search", data={"q": "zwan"}, headers=htmx),
        "search (next page)": lambda: client.post("/customers/search", data={"q": "", "after": "m"}, headers=htmx),
        "customer file": lambda: client.get(f"/customers/{some_customer}"),
        "customer history tab": lambda: client.get(f"/customers/{some_customer}/history", headers=htmx),
        "appointment log": lambda: client.get("/history/appointments?start=2026-01-01&end=2026-01-31"),
        "inbox": lambda: client.get("/privacy/requests"),
        "overview": lambda: client.get("/overview"),
    }


def _plan(connection, statement: str, parameters) -> list[str]:
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [row[0] for row in rows]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [row[-1] for row in rows]


def run() -> None:
    database = seeded_database(CUSTOMERS)
    with Services() as redis_url:
        app, client = portal_client(database, redis_url)
        from portal.extensions import db

        with app.app_context():
            engine = db.engine
        seen: list[tuple[float, str, object]] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                seen.append((time.perf_counter() - conn.info["started"], statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        statements = {}
        for page, call in _pages(client).items():
            call()  # once to warm the caches, then measured
            seen.clear()
            assert call().status_code == 200, page
            statements[page] = list(seen)
        everywhere = set.intersection(*({s for _t, s, _p in found} for found in statements.values()))
        with engine.connect() as connection:
            for page, found in statements.items():
                print(f"## {page}", flush=True)
                for seconds, statement, parameters in found:
                    if statement in everywhere:
                        continue
                    print(f"-- {seconds * 1000:.2f} ms: {' '.join(statement.split())[:160]}")
                    for line in _plan(connection, statement, parameters):
                        print(f"   {line}")
        print(f"# {CUSTOMERS} customers; database {engine.dialect.name}", flush=True)
