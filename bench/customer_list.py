"""Customer list with live search at 100,000 customers: server time p50/p95 over 200 requests,
beside a bare Flask route rendering a template of the same size in the same run."""

from __future__ import annotations

import os

from bench.harness import Services, bare_app, portal_client, report, seeded_database, summary, time_beside

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
REQUESTS = 200
# What people type: name starts, rare and common fragments, email and phone pieces.
QUERIES = [
    "schm",
    "müller",
    "anna",
    "sophie web",
    "0170 12",
    "example.com",
    "yilmaz",
    "kai",
    "lea fisch",
    "zz-nobody",
    "h",
    "jonas b",
]


def run() -> None:
    database = seeded_database(CUSTOMERS)
    with Services() as redis_url:
        _app, client = portal_client(database, redis_url)
        list_page = client.get("/customers")
        assert list_page.status_code == 200
        size = len(list_page.data)

        def search(n: int):
            response = client.post(
                "/customers/search", data={"q": QUERIES[n % len(QUERIES)]}, headers={"HX-Request": "true"}
            )
            assert response.status_code == 200

        def first_page(n: int):
            assert client.get("/customers").status_code == 200

        cursor = {"after": None}

        def paging(n: int):
            data = {"q": ""}
            if cursor["after"] and n % 20:
                data["after"] = cursor["after"]
            body = client.post("/customers/search", data=data, headers={"HX-Request": "true"}).get_data(as_text=True)
            marker = 'name="after" value="'
            cursor["after"] = body.split(marker)[1].split('"')[0] if marker in body else None

        bare = bare_app(25, max(0, size - 4000)).test_client()
        for name, call in (
            ("customer_list_page", first_page),
            ("customer_search", search),
            ("customer_paging", paging),
        ):
            samples, base = time_beside(call, lambda n: bare.get("/bare"), REQUESTS)
            result, baseline = summary(samples), summary(base)
            report(f"{name}_p50", result["p50"], "ms", baseline["p50"])
            report(f"{name}_p95", result["p95"], "ms", baseline["p95"])
        print(
            f"# {CUSTOMERS} customers, {REQUESTS} requests per measure, page {size} bytes, "
            f"database {database.split(':', 1)[0]}",
            flush=True,
        )
