"""Signed forms: signing on the tablet, and the customer file with many documents.

1. Submitting a signed intake form through the tablet page — answers, signature strokes, the
   PDF rendered and hashed, the customer's own entries, consents in the log, history — timed
   around the POST (server time), each after a real hand-over with the employee's PIN (not
   timed). Reported against the 500 ms budget, and beside a plain insert of the same finished
   document row (PDF bytes prepared beforehand) with its commit, in the same run.
2. The customer file's forms tab of a customer with 50 signed documents beside the same tab of
   a customer without any (aim: within 2x).
"""

from __future__ import annotations

import json
import os
import time

from sqlalchemy import delete, select, update

from bench.harness import Services, portal_client, report, seeded_database, summary, time_requests
from portal.demo import DEMO_SIGNATURE

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
SIGNINGS = int(os.environ.get("BENCH_SIGNINGS", "45"))
WARMUP = 5
EMPLOYEE, PIN = "Mia Schneider", "1234"


def _setup(app):
    from portal.extensions import db
    from portal.models import Account, ConsentLog, Customer, Employee, SignedDocument, TabletSession
    from portal.signed_forms.designer import intake_form

    with app.app_context():
        account = db.session.scalars(select(Account).where(Account.slug == "salon-sonnenschein")).one()
        employee = db.session.scalars(
            select(Employee).where(Employee.account_id == account.id, Employee.name == EMPLOYEE)
        ).one()
        without, many = db.session.scalars(
            select(Customer.id).where(Customer.account_id == account.id).order_by(Customer.id).limit(2)
        ).all()
        # The cached database keeps an earlier run's documents: both customers start without.
        documents = select(SignedDocument.id).where(SignedDocument.customer_id.in_((without, many)))
        db.session.execute(update(ConsentLog).where(ConsentLog.document_id.in_(documents)).values(document_id=None))
        db.session.execute(delete(TabletSession).where(TabletSession.customer_id.in_((without, many))))
        db.session.execute(delete(SignedDocument).where(SignedDocument.customer_id.in_((without, many))))
        db.session.commit()
        return intake_form(account.id).id, employee.id, without, many


def _answers(version_id: int, n: int) -> dict:
    return {
        "version_id": str(version_id),
        "field_first_name": "Greta",
        "field_last_name": f"Sommer {n % 3}",
        "field_phone": "0170 1234567",
        "field_allergies": "Nickel, Duftstoffe",
        "consent": ["email", "health"],
        "signature": json.dumps(DEMO_SIGNATURE),
        "pad_width": "600",
        "pad_height": "220",
    }


def _plain_insert_ms(app, document_id: int, runs: int) -> list[float]:
    """The floor: the same finished row written again, one INSERT and a commit."""
    from portal.extensions import db
    from portal.models import SignedDocument

    samples = []
    with app.app_context():
        source = db.session.get(SignedDocument, document_id)
        columns = {c.key: getattr(source, c.key) for c in SignedDocument.__table__.columns if c.key != "id"}
        created = []
        for _ in range(runs):
            started = time.perf_counter()
            row = SignedDocument(**columns)
            db.session.add(row)
            db.session.commit()
            samples.append((time.perf_counter() - started) * 1000)
            created.append(row.id)
        db.session.execute(SignedDocument.__table__.delete().where(SignedDocument.id.in_(created)))
        db.session.commit()
    return samples


def run() -> None:
    database = seeded_database(CUSTOMERS)
    with Services() as redis_url:
        app, client = portal_client(database, redis_url)
        form_id, employee_id, without, many = _setup(app)
        from portal.extensions import db
        from portal.models import TabletSession

        samples = []
        for n in range(WARMUP + SIGNINGS):
            start = client.post(
                "/tablet/start",
                data={"form_id": form_id, "customer_id": many, "locale": "de", "employee_id": employee_id, "pin": PIN},
            )
            assert start.status_code == 302 and start.headers["Location"].endswith("/tablet"), start.status_code
            with app.app_context():
                version_id = db.session.scalars(
                    select(TabletSession.version_id).order_by(TabletSession.id.desc())
                ).first()
            started = time.perf_counter()
            signed = client.post("/tablet/sign", data=_answers(version_id, n))
            elapsed = (time.perf_counter() - started) * 1000
            assert signed.status_code == 302, signed.get_data(as_text=True)[:500]
            if n >= WARMUP:
                samples.append(elapsed)
            back = client.post("/tablet/take-back", data={"employee_id": employee_id, "pin": PIN})
            assert back.status_code == 302
        with app.app_context():
            last = db.session.scalars(select(TabletSession.document_id).order_by(TabletSession.id.desc())).first()
        sign = summary(samples)
        floor = summary(_plain_insert_ms(app, last, SIGNINGS))
        print(f"# {SIGNINGS} signings of the intake form (PDF {_pdf_size(app, last)} bytes)", flush=True)
        report("form_sign_p50_vs_budget", sign["p50"], "ms", 500.0)
        report("form_sign_p95_vs_budget", sign["p95"], "ms", 500.0)
        report("form_sign_p95_vs_plain_insert", sign["p95"], "ms", floor["p95"])

        documents = _count(app, many)
        empty = summary(time_requests(lambda _n: client.get(f"/customers/{without}/forms"), 200))
        full = summary(time_requests(lambda _n: client.get(f"/customers/{many}/forms"), 200))
        print(f"# forms tab: {documents} documents vs none", flush=True)
        report("customer_forms_tab_many_documents_p50", full["p50"], "ms", empty["p50"])
        report("customer_forms_tab_many_documents_p95", full["p95"], "ms", empty["p95"])


def _pdf_size(app, document_id: int) -> int:
    from portal.extensions import db
    from portal.models import SignedDocument

    with app.app_context():
        return len(db.session.get(SignedDocument, document_id).pdf)


def _count(app, customer_id: int) -> int:
    from sqlalchemy import func

    from portal.extensions import db
    from portal.models import SignedDocument

    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(SignedDocument).where(SignedDocument.customer_id == customer_id)
        )
