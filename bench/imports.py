"""Customer import: 100,000 rows × 15 columns from a German Windows-1252 semicolon file.

The check (every row read and validated, duplicates looked up, the checked rows stored) and the
import (every customer written with its consents, consent log and history entry, all or
nothing) each run in a fresh process as a work horse would, with their peak memory, beside a
plain `executemany` insert of the same rows (already parsed) into the customer table in the
same run. Each database file is a fresh copy of the same template, so every run starts equal.
Aim: the import within 3× the plain insert; worker peak under 200 MB.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

from bench.harness import DATA, JOB_END, JOB_START, ROOT, Services, report, seeded_database
from portal.validation import german_sort_key

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "3"))
HEADER = [
    "Kd-Nr", "Nachname", "Vorname", "E-Mail", "Mobil", "Geburtstag", "Straße", "PLZ", "Ort", "Land",
    "Notizen", "Newsletter", "SMS", "Einwilligung am", "Letzter Besuch",
]  # fmt: skip
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann"]  # fmt: skip
FIRST = ["Anna", "Jörg", "Ümit", "Sophie", "Lukas", "Maria", "Jürgen", "Lea", "Özge", "Paul", "Marie", "Felix"]
CITIES = [("01067", "Dresden"), ("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"), ("20095", "Hamburg")]

JOB = (
    JOB_START
    + """
with app.app_context():
    from portal.imports.check import check_import
    from portal.imports.run import run_import
    job = {"check": check_import, "run": run_import}[sys.argv[3]]
    started = time.perf_counter()
    result = job(int(sys.argv[4]))
    seconds = time.perf_counter() - started
assert result in ("checked", "finished"), result
"""
    + JOB_END
)


def rows(count: int) -> list[list[str]]:
    rng = random.Random(7)
    today = date.today()
    out = []
    for n in range(count):
        postal, city = rng.choice(CITIES)
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 65))
        consent = rng.random() < 0.3
        out.append(
            [
                str(100000 + n),
                rng.choice(LAST),
                rng.choice(FIRST),
                f"kunde{n}@example.com",
                f"0170 {2000000 + n:07d}",
                born.strftime("%d.%m.%Y"),
                f"Hauptstraße {n % 200 + 1}",
                postal,
                city,
                "Deutschland",
                "Allergie: Nickel" if n % 17 == 0 else "",
                "ja" if consent else "nein",
                "ja" if rng.random() < 0.1 else "nein",
                (today - timedelta(days=rng.randrange(300, 3000))).strftime("%d.%m.%Y") if consent else "",
                (today - timedelta(days=rng.randrange(1, 900))).strftime("%d.%m.%Y"),
            ]
        )
    return out


def csv_bytes(data: list[list[str]]) -> bytes:
    lines = [";".join(HEADER)] + [";".join(row) for row in data]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _template() -> str:
    """The demo salon (300 customers, its own fields), migrated; copied fresh for every run."""
    return seeded_database(300, sqlite_only=True).removeprefix("sqlite:///")


def _fresh_copy(template: str, name: str) -> str:
    path = DATA / name
    shutil.copy(template, path)
    for suffix in ("-wal", "-shm"):
        (DATA / (name + suffix)).unlink(missing_ok=True)
    return str(path)


def _prepared_import(database: str, redis_url: str, data: bytes) -> int:
    """Uploaded and mapped as the owner would (the guessed mapping), waiting for its check."""
    from bench.harness import portal_client
    from portal.extensions import db
    from portal.imports import service
    from portal.models import Login

    app, _client = portal_client(f"sqlite:///{database}", redis_url)
    with app.app_context():
        from portal.audit import Actor

        owner = db.session.query(Login).filter_by(email="owner@demo.test").one()
        imp = service.upload(Actor(owner.account_id, owner.id), data, "Altprogramm")
        service.save_mapping(imp, imp.mapping, "Altprogramm", by_job=False)
        return imp.id


def _job(database: str, redis_url: str, which: str, import_id: int) -> tuple[float, int]:
    result = subprocess.run(
        [sys.executable, "-c", JOB, f"sqlite:///{database}", redis_url, which, str(import_id)],
        cwd=ROOT,
        env={**os.environ, "PORTAL_ENV": "development"},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, kib = result.stdout.split()[-2:]
    return float(seconds), int(kib)


def _confirm(database: str, redis_url: str, import_id: int) -> None:
    from bench.harness import portal_client
    from portal.extensions import db
    from portal.imports import service
    from portal.imports.check import tally
    from portal.models import CustomerImport, Login

    app, _client = portal_client(f"sqlite:///{database}", redis_url)
    with app.app_context():
        from portal.audit import Actor

        owner = db.session.query(Login).filter_by(email="owner@demo.test").one()
        imp = db.session.get(CustomerImport, import_id)
        counts = tally(imp)
        assert counts["new"] + counts["skipped"] == ROWS, counts  # a few may match a demo customer
        service.confirm(Actor(owner.account_id, owner.id), imp, service.confirmation_value(counts), by_job=False)


def _plain_insert(database: str, data: list[list[str]]) -> float:
    """The floor: the same rows, parsed, into the customer table with one executemany."""
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA foreign_keys = ON")  # as the portal's connections: the same constraints checked
    account_id = conn.execute("SELECT id FROM account WHERE slug = 'salon-sonnenschein'").fetchone()[0]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    # The rows name their import, as the portal's do (the same columns, the same constraints).
    import_id = conn.execute(
        "INSERT INTO customer_import (account_id, status, source_name, file_format, file_size, detected_encoding, "
        "detected_delimiter, encoding, delimiter, headers, mapping, default_action, rows_total, counts, "
        "progress_done, progress_total, runs, attempts, error, created_at) "
        "VALUES (?, 'running', 'Altprogramm', 'csv', 0, '', '', '', '', '[]', '[]', 'skip', 0, '{}', 0, 0, 0, 0, '', ?)",
        (account_id, now),
    ).lastrowid
    values = []
    for row in data:
        born = datetime.strptime(row[5], "%d.%m.%Y").date().isoformat()
        last_visit = datetime.strptime(row[14], "%d.%m.%Y").date().isoformat()
        phone = "+49170" + row[4][5:]
        values.append(
            (account_id, row[2], row[1], row[3], phone, born, row[6], row[7], row[8], "DE", row[10], now, now, now,
             import_id, row[0], "Altprogramm", last_visit, german_sort_key(row[1], row[2]), f"{row[2]} {row[1]} {row[3]}".lower())
        )  # fmt: skip
    started = time.perf_counter()
    conn.executemany(
        "INSERT INTO customer (account_id, first_name, last_name, email, phone, birthday, street, postal_code, city, "
        "country, notes, created_at, imported_at, last_activity_at, import_id, legacy_number, import_source, "
        "legacy_last_visit_on, sort_name, search_text, reminders_off, guardian_consent) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
        values,
    )
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def run() -> None:
    data = rows(ROWS)
    payload = csv_bytes(data)
    print(f"# {ROWS} rows × {len(HEADER)} columns, {len(payload) / 1e6:.1f} MB (Windows-1252, semicolons)", flush=True)
    template = _template()
    checks, imports, floors, peaks = [], [], [], []
    with Services() as redis_url:
        for n in range(RUNS):
            floor_db = _fresh_copy(template, "import-floor.sqlite")
            floors.append(_plain_insert(floor_db, data))
            database = _fresh_copy(template, "import-run.sqlite")
            import_id = _prepared_import(database, redis_url, payload)
            check_seconds, check_kib = _job(database, redis_url, "check", import_id)
            _confirm(database, redis_url, import_id)
            run_seconds, run_kib = _job(database, redis_url, "run", import_id)
            checks.append(check_seconds)
            imports.append(run_seconds)
            peaks.append(max(check_kib, run_kib))
            print(
                f"# run {n + 1}: insert {floors[-1]:.2f} s, check {check_seconds:.2f} s ({check_kib / 1024:.0f} MB), "
                f"import {run_seconds:.2f} s ({run_kib / 1024:.0f} MB)",
                flush=True,
            )
    floor = statistics.median(floors)
    report(f"import_job_{ROWS}", statistics.median(imports), "s", floor)
    report(f"import_check_{ROWS}", statistics.median(checks), "s", floor)
    report(
        f"import_check_and_job_{ROWS}",
        statistics.median(c + i for c, i in zip(checks, imports, strict=True)),
        "s",
        floor,
    )
    print(f"BENCH import_worker_peak {max(peaks) / 1024:.0f} MB (aim < 200 MB)", flush=True)
