"""Every history entry the code can write reads as words: each (category, action) written by
`record`, `event_values`, `record_login_event` or a timeline's event helper has a label in the
registry its list uses, and no field of a change is shown by its key."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from portal.exports.labels import EXPORT_EVENTS
from portal.history.display import ACTION_LABELS, FIELD_LABELS, describe_changes
from portal.history.sentences import ENTITY_OBJECTS, REQUEST_SENTENCES, SENTENCES
from portal.requests.labels import TIMELINE_LABELS

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _written_actions() -> dict[tuple[str, str], str]:
    """(category, action) -> where, for every call with literal arguments."""
    found = {}
    for path in PORTAL.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)

            def literal(i, args=node.args):
                value = args[i] if len(args) > i else None
                return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None

            where = str(path.relative_to(PORTAL))
            if name in ("record", "event_values") and literal(1) and literal(2):
                found[(literal(1), literal(2))] = where
                if literal(3):
                    found[("entity", literal(3))] = where
            elif name == "record_login_event" and literal(1):
                found[("login", literal(1))] = where
            elif name in ("event", "_event") and literal(2):
                found[("export" if "exports" in where else "request", literal(2))] = where
    return found


def test_the_scan_finds_what_the_code_writes():
    actions = _written_actions()
    assert ("customer", "erased") in actions and ("login", "two_factor_enabled") in actions
    assert ("export", "withdrawn") in actions and ("request", "received") in actions


def test_every_action_the_code_writes_has_words(app):
    registries = {"export": EXPORT_EVENTS, "request": TIMELINE_LABELS}
    missing = [
        (category, action, where)
        for (category, action), where in sorted(_written_actions().items())
        if category != "entity" and action not in registries.get(category, ACTION_LABELS)
    ]
    assert missing == []


def test_every_entry_reads_as_a_sentence_naming_who_did_it_in_both_languages(app):
    written = _written_actions()
    entities = {action for (category, action) in written if category == "entity"}
    actions = {(c, a) for (c, a) in written if c not in ("entity", "export")}
    assert entities - set(ENTITY_OBJECTS) == set()
    missing = [(c, a) for c, a in actions if a not in (REQUEST_SENTENCES if c == "request" else SENTENCES)]
    assert missing == []
    with app.test_request_context():
        for registry in (SENTENCES, REQUEST_SENTENCES):
            for action, text in registry.items():
                with force_locale("en"):
                    english = str(text) % {"who": "Mia", "what": "X"}
                with force_locale("de"):
                    german = str(text) % {"who": "Mia", "what": "X"}
                assert german != english and german.endswith("."), (action, german)
                assert "%" not in german and "_" not in german, (action, german)


def test_a_change_is_described_in_words_in_both_languages(app):
    changes = {
        "consent_email": {"old": "none", "new": "granted"},
        "reminders_off": {"old": False, "new": True},
        "deleted": {"old": None, "new": {"appointments": 3, "customer_file": 1}},
        "recipients": {"old": None, "new": 12},
        "channel": {"old": None, "new": "in_person"},
    }
    for locale in ("de", "en"):
        with app.test_request_context(), force_locale(locale):
            rows = describe_changes(changes)
            text = " ".join(" ".join(row) for row in rows)
            assert (
                "in_person" not in text
                and "{" not in text
                and "consent_email" not in text
                and "reminders_off" not in text
            ), text
            assert not {"none", "granted", "withdrawn", "True", "False"} & set(text.split()), text
            if locale == "de":
                assert "Einwilligung" in text and "Termine" in text and "Marketing consent" not in text, text
    assert all(name in FIELD_LABELS for name in ("consent_email", "reminders_off", "recipients", "deleted"))


def test_a_login_names_the_browser_as_people_say_it(app):
    from portal.history.display import device_label

    windows = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    )
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"
    )
    with app.test_request_context(), force_locale("de"):
        assert device_label(windows) == "Chrome unter Windows"
        assert device_label(iphone) == "Safari unter iOS"
        assert device_label("curl/8.5") == "unbekanntes Gerät"
