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
