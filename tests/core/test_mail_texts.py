"""Every mail a person gets, and the access report, read in their language: rendered in German
and English, the German one has no ISO dates, no stored keys, no English words, and after
"Guten Tag," it goes on in lower case, as a German letter does."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from jinja2 import Undefined
from jinja2.exceptions import UndefinedError
from jinja2.utils import missing

from portal.audit import Actor
from portal.extensions import db
from portal.mail import _render
from portal.models import Customer
from portal.requests.access import build_package
from portal.requests.erasure import erase_customer
from portal.requests.labels import TEMPLATE_LABELS
from portal.requests.service import record_staff_request
from tests import factories

MAILS = Path(__file__).resolve().parents[2] / "templates" / "email"
LINK = "https://portal.example/r/abc_def-123"


def _samples(certificate: dict) -> dict[str, dict]:
    """Each template with the context its sending code passes (same names, same types)."""
    due = date(2027, 1, 4)
    return {
        "campaign_test": {"sample_subject": "Herbstaktion", "sample_text": "Liebe Erika, bis Freitag 10 % Rabatt."},
        "consent_request": {"salon": "Salon A", "name": "Erika", "text": "Ich möchte Angebote erhalten.", "link": LINK},
        "export_confirm": {"link": LINK, "salon": "Salon A", "requester": "Anna Admin", "count": 12, "hours": 24},
        "export_ready": {"link": LINK, "salon": "Salon A", "rows": 1842, "hours": 24, "repeat": False},
        "export_withdrawn": {"salon": "Salon A"},
        "login_history_ready": {
            "link": LINK,
            "login_email": "staff@salon-a.example",
            "start": date(2026, 11, 1),
            "end": date(2026, 11, 30),
            "rows": 4200,
            "days": 7,
        },
        "login_invite": {"link": LINK, "salon": "Salon A", "inviter": "Olga Owner", "hours": 72},
        "login_locked_out": {
            "login_email": "staff@salon-a.example",
            "attempts": 10,
            "ips": 2,
            "salon": "Salon A",
            "has_two_factor": False,
        },
        "password_changed": {"salon": "Salon A", "ip": "203.0.113.7", "link": LINK},
        "password_reset": {"link": LINK, "hours": 2, "salon": "Salon A"},
        "breach_deadline": {
            "salon": "Salon A",
            "breach_id": 3,
            "hours_left": 24,
            "deadline": datetime(2026, 12, 9, 8, 0, tzinfo=UTC),
            "zone": "Europe/Berlin",
            "link": LINK,
        },
        "breach_notice": {
            "salon": "Salon A",
            "subject": "Wichtige Information",
            "body": "wir müssen Ihnen mitteilen …",
        },
        "evidence_pack_ready": {"link": LINK, "days": 7},
        "processor_review_due": {"salon": "Salon A", "processor": "Mailversand GmbH", "review_on": due, "link": LINK},
        "privacy_access_package": {"link": LINK, "days": 7, "request_id": 7},
        "privacy_erasure_certificate": {"salon": "Salon A", "certificate": certificate, "request_id": 7},
        "privacy_request_erased": {"link": LINK, "request_id": 7, "other_systems": [{"name": "Shore"}]},
        "privacy_request_extended": {"salon": "Salon A", "due_on": due, "reason": "Viele Unterlagen", "request_id": 7},
        "privacy_request_new": {"request_id": 7, "kind": "erasure", "due_on": due, "link": LINK},
        "privacy_request_no_data": {"salon": "Salon A"},
        "privacy_request_rejected": {"salon": "Salon A", "reason": "Identität nicht bestätigt", "request_id": 7},
        "privacy_request_reminder": {"request_id": 7, "kind": "access", "due_on": due, "link": LINK, "days_left": 3},
        "privacy_request_verify": {"link": LINK, "salon": "Salon A", "kind": "erasure", "hours": 48},
        "retention_summary": {
            "salon": "Salon A",
            "forgotten": 1204,
            "held": 2,
            "due_on": date(2026, 12, 3),
            "months": 36,
            "next_run": date(2027, 1, 3),
            "link": LINK,
        },
    }


class MissingNameFails(Undefined):
    """A name the context lacks fails the render; a missing key of a dict in it stays optional."""

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError):
        if obj is missing and hint is None:
            raise UndefinedError(f"the sample lacks {name!r}")
        super().__init__(hint, obj, name, exc)


ENGLISH = {"the", "your", "you", "hello", "please", "with", "and", "has", "been", "this", "from", "of", "for"}
# Words that open a sentence but not a letter's first line after "Guten Tag," (names, nouns
# and the formal "Sie"/"Ihr" keep their capital).
LOWER_AFTER_GREETING = {
    "Wir", "Es", "Der", "Die", "Das", "Dies", "Diese", "Dieser", "Ein", "Eine", "Am", "Im", "In", "Mit",
    "Bitte", "Für", "Auf", "Nach", "Zu", "Vielen", "Ab", "Bei", "Um", "Heute", "Danke", "Soeben", "Gerade",
    "Jemand", "Leider", "Wie", "Wenn", "Hier", "Ihnen", "Sein", "Zur", "Zum", "Beim", "Vom", "Von", "Nur",
}  # fmt: skip


def _problems(text: str) -> list[str]:
    readable = re.sub(r"https?://\S+", "", text)
    found = []
    found += re.findall(r"\b\d{4}-\d{2}-\d{2}", readable)
    found += re.findall(r"\b[a-z]+_[a-z_]+\b", readable)
    found += sorted(ENGLISH & set(re.findall(r"[A-Za-z]+", readable.lower())))
    found += re.findall(r"%\(|\{\{|\{%", readable)
    found += re.findall(r"(?<![\d.#/-])\d{4}(?![\d.])", readable)  # 1842, not 1.842 (a postal code has 5)
    after_greeting = re.search(r"Guten Tag,\s+(\S+)", readable)
    if after_greeting and after_greeting.group(1).strip(",.:") in LOWER_AFTER_GREETING:
        found.append(f"capital after the greeting: {after_greeting.group(1)}")
    return found


@pytest.fixture
def certificate(salon):
    customer_id = factories.make_customer(salon.account, "Böhm", email="boehm@example.com")
    service = factories.make_service(salon.account)
    factories.visit(salon, customer_id, datetime(2026, 10, 1, 9, tzinfo=UTC), service)
    result = erase_customer(Actor(salon.account.id, salon.owner.id), db.session.get(Customer, customer_id))
    db.session.commit()
    return result


def test_every_mail_template_has_a_sample():
    assert {p.stem for p in MAILS.glob("*.txt")} == set(_samples({}))


def test_every_mail_reads_in_german_and_english(app, certificate):
    original, app.jinja_env.undefined = app.jinja_env.undefined, MissingNameFails
    problems = {}
    try:
        for template, context in _samples(certificate).items():
            rendered = {}
            for locale in ("de", "en"):
                with app.test_request_context(), force_locale(locale):
                    subject, text, html = _render(template, {**TEMPLATE_LABELS, **context})
                assert subject and text.strip(), (template, locale)
                rendered[locale] = (subject, text, re.sub(r"<[^>]+>", " ", html))
            german = "\n".join(rendered["de"])
            if _problems(german):
                problems[template] = (_problems(german), german)
            assert rendered["de"][1] != rendered["en"][1], template
            assert not re.findall(r"\b\d{4}-\d{2}-\d{2}", re.sub(r"https?://\S+", "", "\n".join(rendered["en"])))
    finally:
        app.jinja_env.undefined = original
    assert problems == {}, "\n".join(f"{t}: {p}" for t, (p, _) in problems.items())


def test_the_access_report_reads_in_both_languages(app, salon):
    customer_id = factories.make_customer(salon.account, "Bohm", email="bohm@example.com", country="DE")
    service = factories.make_service(salon.account)
    factories.visit(salon, customer_id, datetime(2026, 10, 1, 9, tzinfo=UTC) - timedelta(days=30), service)
    customer = db.session.get(Customer, customer_id)
    for locale, words in (("de", ("erschienen", "Deutschland")), ("en", ("attended", "Germany"))):
        actor = Actor(salon.account.id, salon.owner.id)
        request = record_staff_request(actor, customer, "access", "email", "", salon.location.id)
        request.locale = locale  # as an online request in that language sets it
        with app.test_request_context():
            archive = zipfile.ZipFile(io.BytesIO(build_package(request, customer)))
        report = re.sub(r"<style>.*?</style>|<[^>]+>", " ", archive.read("report.html").decode(), flags=re.S)
        assert ", ," not in report
        assert not re.findall(r"\b\d{4}-\d{2}-\d{2}", report), locale
        assert all(word in report for word in words), (locale, report)
        if locale == "de":
            assert _problems(report.replace("Art.", "")) == [], report
        # The CSV tables: headers in words of the customer's language, the cells machine-readable.
        headers = {
            name: archive.read(name).decode("utf-8-sig").splitlines()[0]
            for name in archive.namelist()
            if ".csv" in name
        }
        assert all("_" not in line for line in headers.values()), headers
        expected = ("Vorname", "Beginn") if locale == "de" else ("First name", "Start")
        assert expected[0] in headers["csv/customer.csv"] and expected[1] in headers["csv/appointments.csv"]
