"""The portal over real HTTP: gunicorn with 2 workers on loopback against the seeded database
(100,000 customers), a bounded mixed load of authenticated pages — overview, customer list,
customer file, live search (POST with the CSRF header, as htmx sends it), appointment log,
request inbox — from 16 keep-alive connections (2 client processes x 8 threads), then the bare
Flask route under the same load and server, in the same run. Reports req/s of the mix against
the bare route's, and per page p50/p99 and errors.

The client is Python (prepared requests on raw keep-alive sockets), not wrk: the machine has no
wrk. It shares the 2 cores with the server, for the portal and the bare route alike, so the
ratio is the measure.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict

from sqlalchemy import create_engine, text

from bench.harness import DATA, ROOT, Services, percentile, report, seeded_database
from portal.dev.services import free_port, wait_for_port

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "20"))
WARMUP = 3.0
PROCESSES, THREADS = 2, 8
EMAIL, PASSWORD = "owner@demo.test", "salon-demo-2026"
QUERIES = ("schm", "müller", "anna", "0170 12", "example.com", "lea fisch", "h", "jonas b")


def _gunicorn(module: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--keep-alive", "30", module],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(DATA / f"gunicorn-{port}.log", "w"),  # noqa: SIM115 - closed with the process
    )
    wait_for_port(port, 60)
    return process


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _log_in(port: int) -> tuple[str, str]:
    """The session cookie and the page's CSRF token, through the login form as a browser does."""
    jar = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1) or token.group(2), "email": EMAIL, "password": PASSWORD}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)}
    conn.request("POST", "/login", body, headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"login failed: {response.status}"
    _cookies(response, jar)
    conn.request("GET", "/overview", headers={"Cookie": _cookie_header(jar)})
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)  # the session now holds the page's CSRF token
    assert response.status == 200, f"overview after login: {response.status}"
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    return _cookie_header(jar), csrf


def _mix(customer_ids: list[int]) -> list[tuple[str, str, str, str | None]]:
    """(page, method, path, form body) — one round of the mixed load."""
    rng = random.Random(7)
    round_ = [("overview", "GET", "/overview", None), ("customer_list", "GET", "/customers", None)]
    round_ += [("customer_file", "GET", f"/customers/{rng.choice(customer_ids)}", None) for _ in range(2)]
    round_ += [("search", "POST", "/customers/search", urllib.parse.urlencode({"q": q})) for q in QUERIES[:2]]
    round_ += [("appointment_log", "GET", "/history/appointments", None), ("inbox", "GET", "/privacy/requests", None)]
    return round_


def _raw_request(method: str, path: str, headers: dict, body: str | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    data = (body or "").encode()
    if body is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def _exchange(sock: socket.socket, request: bytes, buffer: bytearray) -> tuple[int, bool]:
    """Send one request and read its whole response: the status, and whether the server keeps
    the connection (gunicorn's sync workers close it after each response, as wrk sees too)."""
    sock.sendall(request)
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head = bytes(buffer[:end]).decode("latin-1")
    status = int(head[9:12])
    length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
    del buffer[: end + 4]
    while len(buffer) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    del buffer[:length]
    return status, re.search(r"(?im)^connection:\s*close", head) is None


def _client(args) -> list[tuple[str, float, int]]:
    """One client process: THREADS keep-alive connections sending the mix until the deadline.
    Requests are prepared bytes and responses are read by their Content-Length: the client
    costs little beside the server it shares the cores with."""
    port, cookie, csrf, requests, start_at, stop_at, seed = args
    results, lock = [], threading.Lock()
    prepared = []
    for page, method, path, body in requests:
        # Only the search goes as htmx (with the CSRF header); the pages are whole pages.
        headers = (
            {"Cookie": cookie, "X-CSRFToken": csrf, "HX-Request": "true"} if page == "search" else {"Cookie": cookie}
        )
        prepared.append((page, _raw_request(method, path, headers if cookie else {}, body)))

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def loop(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        sock, buffer, mine = connect(), bytearray(), []
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while (now := time.monotonic()) < stop_at:
            page, request = rng.choice(prepared)
            started = time.perf_counter()
            try:
                status, kept = _exchange(sock, request, buffer)
            except (OSError, ValueError, AttributeError):
                status, kept = 0, False
            if not kept:
                sock.close()
                sock, buffer = connect(), bytearray()
            if now >= start_at + WARMUP:
                mine.append((page, (time.perf_counter() - started) * 1000, status))
        sock.close()
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def _load(port: int, cookie: str, csrf: str, requests) -> tuple[list, float]:
    start_at = time.monotonic() + 1.0
    stop_at = start_at + WARMUP + SECONDS
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        parts = pool.map(_client, [(port, cookie, csrf, requests, start_at, stop_at, p) for p in range(PROCESSES)])
    return [r for part in parts for r in part], SECONDS


def _median_page_size(port: int, cookie: str, requests) -> int:
    sizes = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _page, method, path, _body in requests:
        if method == "GET":
            conn.request(method, path, headers={"Cookie": cookie})
            response = conn.getresponse()
            sizes.append(len(response.read()))
    return sorted(sizes)[len(sizes) // 2]


def run() -> None:
    database = seeded_database(CUSTOMERS)
    with Services() as redis_url:
        engine = create_engine(database)
        with engine.connect() as conn:
            account_id = conn.execute(text("SELECT id FROM account WHERE slug = 'salon-sonnenschein'")).scalar_one()
            ids = list(
                conn.execute(
                    text("SELECT id FROM customer WHERE account_id = :a ORDER BY id LIMIT 2000"), {"a": account_id}
                ).scalars()
            )
        engine.dispose()
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench-http-only",
            "SESSION_COOKIE_SECURE": "0",
            "PORTAL_ENV": "production",
            # One client address sends everything: the per-IP login limit is not what is measured.
            "LOGIN_LIMIT_PER_IP": "1000 per minute",
        }
        requests = _mix(ids)
        port = free_port()
        server = _gunicorn("app:app", port, env)
        try:
            cookie, csrf = _log_in(port)
            pad = _median_page_size(port, cookie, requests)
            results, seconds = _load(port, cookie, csrf, requests)
        finally:
            _stop(server)

        bare_port = free_port()
        bare = _gunicorn("bench.bare_wsgi:app", bare_port, {**env, "BENCH_BARE_PAD": str(max(0, pad - 4000))})
        try:
            bare_results, _seconds = _load(bare_port, "", "", [("bare", "GET", "/bare", None)])
        finally:
            _stop(bare)

    bare_rps = len(bare_results) / seconds
    by_page = defaultdict(list)
    for page, ms, status in results:
        by_page[page].append((ms, status))
    print(
        f"# {len(results)} requests in {seconds:.0f} s from {PROCESSES * THREADS} connections; "
        f"median page {pad} bytes; bare route {len(bare_results)} requests, "
        f"p50 {percentile([m for _p, m, _s in bare_results], 50):.1f} ms, "
        f"p99 {percentile([m for _p, m, _s in bare_results], 99):.1f} ms",
        flush=True,
    )
    for page, samples in sorted(by_page.items()):
        times = [ms for ms, _status in samples]
        errors = sum(1 for _ms, status in samples if not 200 <= status < 400)
        rps = len(samples) / seconds
        print(
            f"# {page}: {rps:.0f} req/s, p50 {percentile(times, 50):.1f} ms, p99 {percentile(times, 99):.1f} ms, "
            f"errors {errors}",
            flush=True,
        )
    errors = sum(1 for _page, _ms, status in results if not 200 <= status < 400)
    report("http_mixed_rps_vs_bare", len(results) / seconds, "req/s", bare_rps)
    report(
        "http_mixed_p99_vs_bare",
        percentile([m for _p, m, _s in results], 99),
        "ms",
        percentile([m for _p, m, _s in bare_results], 99),
    )
    print(f"BENCH http_mixed_errors {errors} count baseline 0 ratio -", flush=True)
