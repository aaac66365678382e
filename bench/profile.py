"""Where a request's time goes (issue 22, part 1): each main page requested 100 times under
cProfile, its server time split into what every authenticated request pays (loading the login,
the permission checks and the template context with the navigation badges) and the page's own
work (database, template rendering, formatting of phones and dates). Profiling slows Python
down, so the shares matter, not the milliseconds; `make bench NAME=customer_list` etc. give the
real times as ratios."""

from __future__ import annotations

import cProfile
import os
import pstats

from bench.harness import Services, portal_client, seeded_database

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
REQUESTS = 100
# (what it is, where in the code) — cumulative time of that function, per request.
PARTS = (
    ("database", "sqlalchemy/engine/base.py", "_execute_context"),
    ("render", "flask/templating.py", "_render"),
    ("login", "portal/auth/sessions.py", "load_login"),
    ("context", "flask/app.py", "update_template_context"),
    ("before", "flask/app.py", "preprocess_request"),
    ("phones", "portal/validation.py", "format_phone"),
    ("dates", "portal/web/templating.py", "format_day"),
)


def _cumulative(stats: pstats.Stats, path: str, function: str) -> float:
    return sum(
        row[3] for (filename, _line, name), row in stats.stats.items() if name == function and filename.endswith(path)
    )


def run() -> None:
    database = seeded_database(CUSTOMERS, EVENTS)
    with Services() as redis_url:
        _app, client = portal_client(database, redis_url)
        some_customer = client.get("/customers").get_data(as_text=True).split('href="/customers/')[1].split('"')[0]
        pages = {
            "dashboard": lambda: client.get("/overview"),
            "customer_list": lambda: client.get("/customers"),
            "customer_file": lambda: client.get(f"/customers/{some_customer}"),
            "search": lambda: client.post("/customers/search", data={"q": "schm"}, headers={"HX-Request": "true"}),
            "appointment_log": lambda: client.get("/history/appointments"),
            "inbox": lambda: client.get("/privacy/requests"),
        }
        print("# page: ms per request under the profiler, then each part's share", flush=True)
        for page, call in pages.items():
            for _ in range(10):
                assert call().status_code == 200, page
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(REQUESTS):
                call()
            profiler.disable()
            stats = pstats.Stats(profiler)
            total = stats.total_tt / REQUESTS * 1000
            shares = " ".join(
                f"{name} {100 * _cumulative(stats, path, function) / REQUESTS * 1000 / total:.0f}%"
                for name, path, function in PARTS
            )
            print(f"PROFILE {page} {total:.1f} ms · {shares}", flush=True)
        print(f"# {CUSTOMERS} customers, {EVENTS} history events, {REQUESTS} requests per page", flush=True)
