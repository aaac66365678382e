"""The German catalog is complete: every string in the code and templates has a German text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_german_catalog_covers_every_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            # Babel skips folders starting with "_" by default: templates/_macros must be read too.
            "--ignore-dirs=.*",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    german = read_po((ROOT / "portal/translations/de/LC_MESSAGES/messages.po").open("rb"))
    # A plural needs every form (its string is a tuple, which is "true" even when all are empty).
    translated = {
        m.id
        for m in german
        if m.id and "fuzzy" not in m.flags and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert extracted - translated == set()


def test_pages_are_german_by_default_and_english_on_request(client):
    assert "Anmelden" in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in" in english and "Anmelden" not in english


def test_language_switch_is_kept_per_login(salon, login_as):
    from portal.extensions import db
    from portal.models import Login

    client = login_as(salon.owner)
    client.post("/language", data={"locale": "de", "next": "/overview"})
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).locale == "de"
    assert "Übersicht" in client.get("/overview").get_data(as_text=True)
