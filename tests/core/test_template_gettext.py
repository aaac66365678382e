"""The templates' `_()` remembers the translations per request and language
(`portal.web.words.current_translations`) and still follows every change of language within a
request: a mail rendered in the recipient's language (`force_locale`) and the page after it."""

from __future__ import annotations

from flask import render_template_string, session
from flask_babel import force_locale

SENTENCE = '{{ _("Customers") }} · {{ ngettext("%(num)d open", "%(num)d open", 2) }}'


def test_template_sentences_follow_force_locale_and_return_to_the_page_language(app):
    with app.test_request_context("/"):
        session["locale"] = "de"
        assert render_template_string(SENTENCE) == "Kunden · 2 offen"
        with force_locale("en"):
            assert render_template_string(SENTENCE) == "Customers · 2 open"
        assert render_template_string(SENTENCE) == "Kunden · 2 offen"


def test_each_request_chooses_its_own_language(app):
    for language, expected in (("en", "Customers · 2 open"), ("de", "Kunden · 2 offen"), ("en", "Customers · 2 open")):
        # A context of its own, as each real request has (the tests keep one open around them).
        with app.app_context(), app.test_request_context("/"):
            session["locale"] = language
            assert render_template_string(SENTENCE) == expected


def test_every_request_and_forced_language_uses_the_one_locale_object_of_its_language(app):
    """The formatting caches are keyed by the language; one object per language lets them find
    it by identity (`portal.web.words.language`)."""
    from flask_babel import get_locale

    from portal.web.words import force_locale, language

    seen = []
    for code in ("de", "en", "de"):
        with app.app_context(), app.test_request_context("/"):
            session["locale"] = code
            seen.append(get_locale())
            with force_locale("en" if code == "de" else "de"):
                seen.append(get_locale())
    assert [str(locale) for locale in seen] == ["de", "en", "en", "de", "de", "en"]
    assert seen[0] is seen[3] is seen[4] is language("de") and seen[1] is seen[2] is seen[5] is language("en")
