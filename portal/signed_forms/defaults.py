"""The built-in intake form every salon starts with (German: the salon's customers read it).
Like the privacy notice, a starting point the salon adapts, not legal advice."""

from __future__ import annotations

PRIVACY_TEXT = """Datenschutzhinweis zum Aufnahmebogen

{salon} verarbeitet die Angaben auf diesem Bogen, um Ihre Termine zu planen, Sie zu behandeln und die Behandlung zu dokumentieren (Art. 6 Abs. 1 lit. b DSGVO). Rechnungen bewahren wir aus steuerlichen Gründen auf (Art. 6 Abs. 1 lit. c DSGVO, § 147 AO).

Angaben zu Ihrer Gesundheit (zum Beispiel Allergien, Hauterkrankungen, Medikamente, Schwangerschaft) verarbeiten wir nur, wenn Sie unten ausdrücklich einwilligen (Art. 9 Abs. 2 lit. a DSGVO), und nur, um Sie sicher zu behandeln. Nur berechtigte Mitarbeitende sehen diese Angaben.

Ihre Einwilligungen sind freiwillig. Sie können sie jederzeit mit Wirkung für die Zukunft widerrufen, im Salon, per E-Mail oder über den Link in unseren Nachrichten.

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit und Widerspruch sowie das Recht, sich bei einer Datenschutzaufsichtsbehörde zu beschweren. Unsere vollständige Datenschutzerklärung erhalten Sie im Salon und auf unserer Buchungsseite."""

CONSENTS = {
    "email": "Ich möchte Angebote und Neuigkeiten von {salon} per E-Mail erhalten. Ich kann dies jederzeit widerrufen.",
    "sms": "Ich möchte Angebote und Neuigkeiten von {salon} per SMS erhalten. Ich kann dies jederzeit widerrufen.",
    "photo": "{salon} darf Fotos meines Ergebnisses (ohne meinen Namen) auf der Website und in sozialen Netzwerken zeigen. Ich kann dies jederzeit widerrufen.",
    "health": "Ich willige ausdrücklich ein, dass {salon} meine Angaben zu Gesundheit (Allergien, Hauterkrankungen, Medikamente) speichert und für meine Behandlung verwendet (Art. 9 Abs. 2 lit. a DSGVO). Ich kann diese Einwilligung jederzeit widerrufen.",
}


def intake_content(salon: str) -> dict:
    def customer(key, label, maps_to, required=False):
        return {
            "key": key,
            "label": label,
            "type": "customer",
            "maps_to": maps_to,
            "choices": [],
            "health": False,
            "required": required,
        }

    return {
        "kind": "intake",
        "title": "Neukundenaufnahme",
        "intro": f"Willkommen bei {salon}! Bitte füllen Sie diesen Bogen aus und unterschreiben Sie unten. Pflichtfelder sind mit * markiert.",
        "privacy_text": PRIVACY_TEXT.format(salon=salon),
        "interval": "once",
        "services": [],
        "fields": [
            customer("first_name", "Vorname", "first_name", True),
            customer("last_name", "Nachname", "last_name", True),
            customer("email", "E-Mail", "email"),
            customer("phone", "Telefon", "phone"),
            customer("birthday", "Geburtsdatum", "birthday"),
            customer("street", "Straße und Hausnummer", "street"),
            customer("postal_code", "PLZ", "postal_code"),
            customer("city", "Ort", "city"),
            {
                "key": "allergies",
                "label": "Haben Sie Allergien oder Unverträglichkeiten (z. B. Nickel, Duftstoffe, Haarfarbe)?",
                "type": "textarea",
                "maps_to": "",
                "choices": [],
                "health": True,
                "required": False,
            },
            {
                "key": "medication",
                "label": "Nehmen Sie Medikamente oder haben Sie Hauterkrankungen, die wir wissen sollten?",
                "type": "textarea",
                "maps_to": "",
                "choices": [],
                "health": True,
                "required": False,
            },
        ],
        "consents": {kind: text.format(salon=salon) for kind, text in CONSENTS.items()},
    }
