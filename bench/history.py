"""Histories at 100,000 customers and 2,000,000 audit events: the appointment log filtered by
period and the per-customer history tab, server time p50/p95 over 200 requests each, beside
the bare-route baseline of the same size in the same run."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from bench.harness import Services, bare_app, portal_client, report, seeded_database, summary, time_beside

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "2000000"))
REQUESTS = 200


def run() -> None:
    database = seeded_database(CUSTOMERS, EVENTS)
    rng = random.Random(11)
    with Services() as redis_url:
        app, client = portal_client(database, redis_url)
        from portal.extensions import db
        from portal.models import AuditEvent, Customer, Employee

        with app.app_context():
            customer_ids = db.session.scalars(select(Customer.id).order_by(Customer.id).limit(CUSTOMERS)).all()
            employee_ids = db.session.scalars(select(Employee.id)).all()
            total_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        headers = {"HX-Request": "true"}

        def period(n: int):
            end = date.today() - timedelta(days=rng.randrange(0, 700))
            start = end - timedelta(days=rng.choice((1, 7, 30)))
            url = f"/history/appointments?start={start.isoformat()}&end={end.isoformat()}"
            if n % 4 == 0:
                url += f"&employee={rng.choice(employee_ids)}"
            assert client.get(url, headers=headers).status_code == 200

        def customer_tab(n: int):
            response = client.get(f"/customers/{rng.choice(customer_ids)}/history", headers=headers)
            assert response.status_code == 200

        sample = client.get("/history/appointments?start=2026-01-01&end=2026-01-31", headers=headers)
        bare = bare_app(50, max(0, len(sample.data) - 8000)).test_client()
        for name, call in (("appointment_log_period", period), ("customer_history_tab", customer_tab)):
            samples, base = time_beside(call, lambda n: bare.get("/bare"), REQUESTS)
            result, baseline = summary(samples), summary(base)
            report(f"{name}_p50", result["p50"], "ms", baseline["p50"])
            report(f"{name}_p95", result["p95"], "ms", baseline["p95"])
        print(
            f"# {len(customer_ids)} customers, {total_events} audit events, {REQUESTS} requests per measure, "
            f"log page {len(sample.data)} bytes, database {database.split(':', 1)[0]}",
            flush=True,
        )
