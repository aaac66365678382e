"""In Chromium, the owner records a data breach: the 72-hour countdown on the breach and on the
overview, the text for the authority, the decision to tell the people and the message to them
(confirmed with the number, sent by the worker, progress shown), then the notification."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.extensions import db
from tests import factories
from tests.browser.conftest import snap
from tests.conftest import run_worker_burst


def test_the_owner_records_a_breach_and_tells_the_people(page, salon, log_in, worker_env, mails):
    salon.owner.locale = "de"
    db.session.commit()
    factories.privacy_settings(
        salon, controller_name="Salon A", controller_email="kontakt@salon-a.de", authority_code="BE"
    )
    for name in ("Sommer", "Winter"):
        factories.make_customer(salon.account, name, email=f"{name.lower()}@example.com")
    log_in(page, salon.owner, factories.PASSWORD)
    aware = datetime.now(ZoneInfo(salon.account.timezone)).replace(second=0, microsecond=0) - timedelta(hours=2)

    page.goto("/settings/privacy/")
    page.get_by_role("link", name="Datenpannen").click()
    page.get_by_role("link", name="Datenpanne eintragen").click()
    page.get_by_label("Wann es passiert ist").fill((aware - timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Wann der Salon davon erfahren hat").fill(aware.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Was passiert ist").fill("Das Salon-Tablet wurde vom Empfang gestohlen.")
    page.get_by_label("Welche Daten").fill("Namen, Telefonnummern")
    page.get_by_label("Betroffene Personen (ungefähr)").fill("2")
    page.get_by_label("Ergriffene oder geplante Maßnahmen").fill("Tablet aus der Ferne gelöscht")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status").filter(has_text="Die Datenpanne ist eingetragen.")).to_be_visible()
    clock = page.locator(".breach-clock")
    expect(clock).to_have_text(re.compile(r"^noch (69|70) Std\. \d+ Min\.$"))
    snap(page, "breach")

    page.get_by_role("link", name="Der Meldetext für die Behörde").click()
    expect(page.locator("#report-text")).to_contain_text("Art der Verletzung (Art. 33 Abs. 3 lit. a DSGVO)")
    expect(page.get_by_text("Berliner Beauftragte für Datenschutz und Informationsfreiheit").first).to_be_visible()
    page.go_back()

    # Art. 34: the decision, then the message, confirmed with the number of people.
    page.get_by_label("Ja: Ein hohes Risiko für ihre Rechte und Freiheiten ist wahrscheinlich").check()
    page.get_by_label("Begründung").fill("Telefonnummern und Namen in fremden Händen")
    page.get_by_role("button", name="Entscheidung eintragen").first.click()
    expect(page.get_by_text("2 Personen mit E-Mail-Adresse sind in dieser Gruppe.")).to_be_visible()
    expect(page.get_by_label("Nachricht")).to_have_value(re.compile("Das Salon-Tablet wurde vom Empfang gestohlen"))
    page.get_by_role("button", name="Nachricht senden").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("2 Personen bekommen diese Nachricht per E-Mail, jede einmal.")
    dialog.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("status").filter(has_text="Wird versendet")).to_be_visible()
    assert run_worker_burst(worker_env, "emails").returncode == 0
    assert run_worker_burst(worker_env, "emails").returncode == 0
    expect(page.get_by_role("status").filter(has_text="Versendet: 2 Nachrichten")).to_be_visible(timeout=10_000)
    assert sorted(m.to for m in mails() if m.subject.startswith("Wichtige Information")) == [
        "sommer@example.com",
        "winter@example.com",
    ]
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "breach-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The overview counts down until the notification is recorded.
    page.goto("/overview")
    expect(page.locator(".breach-alert")).to_contain_text("Datenpanne #1:")
    page.locator(".breach-alert").get_by_role("link", name="Öffnen").click()
    page.get_by_label("Gemeldet am").fill((aware + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Meldung eintragen").click()
    expect(page.get_by_role("status").filter(has_text="Die Meldung ist eingetragen.")).to_be_visible()
    expect(page.locator(".breach-clock")).to_have_count(0)
    page.goto("/overview")
    expect(page.locator(".breach-alert")).to_have_count(0)
