"""Benchmark harness: a portal app on a large seeded database and a real Redis, server-side
timing of requests, and a bare Flask baseline measured in the same run.

Each measure prints one line:  BENCH <name> <value> <unit> baseline <value> ratio <x>
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

from portal.dev.services import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "results"


# A job run in a process of its own, as a work horse runs it: the app on argv[1] (database) and
# argv[2] (Redis), preloaded and frozen as the worker does before it forks (`JOB_START`); the
# job's code sets `seconds`; `JOB_END` prints them and the process's own peak memory in KiB.
# VmHWM, not ru_maxrss: Linux carries the parent's peak over the exec into ru_maxrss, and the
# bench's own process holds the app and a database's worth of results (about 120 MB, which
# the export's memory line reported whenever the job itself stayed below it).
JOB_START = """
import sys, time
from portal import create_app
from portal.config import TestConfig
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "TESTING": False,
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": sys.argv[2], "RATELIMIT_STORAGE_URI": sys.argv[2]})
from jobs.worker import preload_and_freeze
preload_and_freeze(app)
"""
JOB_END = """
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(seconds, peak)
"""


def seeded_database(customers: int, events: int = 0, sqlite_only: bool = False) -> str:
    """A SQLite database with the demo salon at the given size; built once and reused
    (or DATABASE_URL, already seeded, when set and `sqlite_only` is not)."""
    if os.environ.get("DATABASE_URL") and not sqlite_only:
        url = os.environ["DATABASE_URL"]
        flask_command(url, "db", "upgrade")  # the migrations added since it was seeded
        _analyse(url)
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / (f"demo-{customers}.sqlite" if not events else f"demo-{customers}-{events}.sqlite")
    url = f"sqlite:///{path}"
    if path.exists():
        # A database cached by an earlier run gets the migrations added since.
        flask_command(url, "db", "upgrade")
        return url
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    flask_command(f"sqlite:///{partial}", "db", "upgrade")
    flask_command(f"sqlite:///{partial}", "demo", "seed", "--customers", str(customers), "--events", str(events))
    partial.rename(path)
    print(f"# seeded {customers} customers, {events} events in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def _analyse(url: str) -> None:
    """Statistics and visibility maps as a running database has them (autovacuum keeps both):
    right after seeding PostgreSQL has no statistics, and its planner takes every table for empty
    (the HTTP mix measured 0.05× instead of 0.17×); without the visibility map a count cannot be
    answered from the index alone (the inbox's counts over 10,000 requests: 1.7 → 0.6 ms)."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def flask_command(database: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database, "PORTAL_ENV": "development", "FLASK_APP": "app"}
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True, capture_output=True)


class Services:
    """A real Redis server for the limiter and sessions' neighbours, stopped on exit."""

    def __enter__(self):
        DATA.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = start_redis(self.port, DATA)
        return f"redis://127.0.0.1:{self.port}/0"

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)


def portal_client(database: str, redis_url: str, email: str = "owner@demo.test", **config):
    """A test client of the real app on the benchmark database, logged in as the demo owner."""
    from portal import create_app
    from portal.config import TestConfig

    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": database,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            **config,
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": "salon-demo-2026"})
    assert response.status_code == 302, "demo login failed"
    return app, client


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_requests(call: Callable[[int], object], count: int, warmup: int = 10) -> list[float]:
    """Milliseconds per call, measured around the in-process WSGI call (server time)."""
    for n in range(warmup):
        call(n)
    samples = []
    for n in range(count):
        started = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def time_beside(call: Callable[[int], object], baseline: Callable[[int], object], count: int, warmup: int = 10):
    """(samples, baseline samples): the call and the baseline timed in turns, request by
    request, so that both meet the same moment of a noisy machine (a baseline timed before
    the pages moved between 1.7 and 3.5 ms from run to run)."""
    for n in range(warmup):
        call(n)
        baseline(n)
    samples, base = [], []
    for n in range(count):
        started = time.perf_counter()
        baseline(n)
        base.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, base


def bare_app(rows: int, row_bytes: int) -> Flask:
    """The baseline: a bare Flask route rendering a template of the same size, no database."""
    app = Flask("baseline")
    template = (
        "<html><body><table>{% for row in rows %}<tr><td><a href='/x/{{ row.id }}'>{{ row.name }}</a>"
        "</td><td>{{ row.email }}</td><td>{{ row.phone }}</td></tr>{% endfor %}</table>"
        "<p>{{ pad }}</p></body></html>"
    )
    data = [
        {"id": n, "name": f"Name {n}", "email": f"n{n}@example.com", "phone": "+49 170 1234567"} for n in range(rows)
    ]

    @app.route("/bare")
    def bare():
        return render_template_string(template, rows=data, pad="x" * row_bytes)

    return app


def report(name: str, value: float, unit: str, baseline: float) -> None:
    ratio = value / baseline if baseline else float("inf")
    print(f"BENCH {name} {value:.2f} {unit} baseline {baseline:.2f} ratio {ratio:.2f}", flush=True)


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95)}
