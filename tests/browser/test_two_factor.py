"""In Chromium: the owner requires two-factor login, is led to the setup, scans (reads the key),
keeps the recovery codes, and logs in again with password and code, then with a recovery code;
a colleague who forgot the password sets a new one through the emailed link."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboundEmail
from tests import factories
from tests.conftest import TMP
from tests.privacy.helpers import link_path

SHOTS = TMP / "screenshots"


def _password_step(page, login, password):
    if page.locator("[data-menu-toggle]").is_visible():  # on a phone the menu holds "Abmelden"
        page.locator("[data-menu-toggle]").click()
    if page.get_by_role("button", name="Abmelden").count():
        page.get_by_role("button", name="Abmelden").click()
        page.wait_for_url(re.compile(r"/login"))
    else:
        page.goto("/login")
    page.locator("#email").fill(login.email)
    page.locator("#password").fill(password)
    page.locator("button.primary").click()


def _code(secret: str, *, next_step: bool = False) -> str:
    """The app's code; the next step's when this step's was used already (codes are single use)."""
    return pyotp.TOTP(secret).at(time.time() + (30 if next_step else 0))


def test_owner_requires_sets_up_and_logs_in_with_two_factor(page, salon, log_in):
    salon.owner.locale = "de"
    db.session.commit()
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/settings/account")
    page.get_by_label("Zwei-Faktor-Anmeldung für Inhaber und Administratoren mit Exportrecht verlangen").check()
    page.get_by_role("button", name="Speichern").first.click()

    page.goto("/customers")  # any page leads to the setup first
    expect(page).to_have_url(re.compile(r"/me/two-factor$"))
    expect(page.get_by_text("Bis sie eingerichtet ist, öffnet das Portal nur diese Seite.")).to_be_visible()
    page.get_by_role("button", name="Zwei-Faktor-Anmeldung einrichten").click()
    expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "two-factor-setup-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the QR code fits a phone
    page.get_by_label("Code aus der App").fill("000000" if _code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Einschalten").click()
    expect(page.get_by_text("Dieser Code stimmt nicht")).to_be_visible()
    page.get_by_label("Code aus der App").fill(_code(secret))
    page.get_by_role("button", name="Einschalten").click()

    expect(page.get_by_role("heading", name="Ihre Wiederherstellungscodes")).to_be_visible()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    page.screenshot(path=str(SHOTS / "two-factor-recovery-codes-390.png"), full_page=True)
    page.get_by_role("link", name="Ich habe sie sicher aufbewahrt").click()
    expect(page.get_by_text("Seit ")).to_be_visible()

    _password_step(page, salon.owner, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.screenshot(path=str(SHOTS / "two-factor-login-code-390.png"), full_page=True)
    page.get_by_label("Code aus der App oder ein Wiederherstellungscode").fill(_code(secret, next_step=True))
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/overview")

    _password_step(page, salon.owner, factories.PASSWORD)
    page.get_by_label("Code aus der App oder ein Wiederherstellungscode").fill(codes[3].upper())
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/overview")
    expect(
        page.get_by_text("Sie haben sich mit einem Wiederherstellungscode angemeldet; 9 sind noch übrig.")
    ).to_be_visible()

    _password_step(page, salon.owner, factories.PASSWORD)  # a used recovery code does not open twice
    page.get_by_label("Code aus der App oder ein Wiederherstellungscode").fill(codes[3])
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Dieser Code stimmt nicht")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/code$"))


def test_english_two_factor_pages_read_well_on_a_phone(page, salon, log_in):
    salon.owner.locale = "en"
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, salon.owner, factories.PASSWORD)
    page.goto("/me/two-factor")
    page.get_by_role("button", name="Set up two-factor login").click()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Switch on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name="I have kept them safe").click()
    expect(page.get_by_text("10 recovery codes left.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "two-factor-manage-en-390.png"), full_page=True)
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_forgotten_password_is_set_anew_through_the_emailed_link(page, salon):
    salon.staff.locale = "de"
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.get_by_label("E-Mail-Adresse Ihres Logins").fill(salon.staff.email)
    page.get_by_role("button", name="Link senden").click()
    expect(page.get_by_role("heading", name="Sehen Sie in Ihr E-Mail-Postfach")).to_be_visible()
    page.screenshot(path=str(SHOTS / "password-reset-sent-390.png"), full_page=True)

    db.session.expire_all()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "password_reset")).one()
    assert mail.recipient == salon.staff.email
    page.goto(link_path(re.search(r"https?://\S+", mail.body_text).group(0)))
    expect(page.get_by_text(salon.staff.email)).to_be_visible()
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    page.get_by_label("Neues Passwort wiederholen").fill("kurz")
    page.get_by_role("button", name="Neues Passwort setzen").click()
    expect(page.get_by_text("Das Passwort muss mindestens")).to_be_visible()
    page.get_by_label("Neues Passwort", exact=True).fill("ein-ganz-neues-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("ein-ganz-neues-passwort")
    page.get_by_role("button", name="Neues Passwort setzen").click()
    expect(page.get_by_text("Ihr neues Passwort ist gesetzt")).to_be_visible()
    page.screenshot(path=str(SHOTS / "password-reset-done-390.png"), full_page=True)

    page.locator("#email").fill(salon.staff.email)
    page.locator("#password").fill("ein-ganz-neues-passwort")
    page.locator("button.primary").click()
    page.wait_for_url("**/overview")
