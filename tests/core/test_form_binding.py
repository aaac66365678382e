"""A form class's fields are bound afresh for each form: making forms never changes the class
(once, every bind added one more text cleaner to the shared field, without end)."""

from __future__ import annotations

from wtforms import FieldList, FormField, IntegerField, SelectField, StringField

from portal.web.forms import PortalForm, PortalSubform


class _Example(PortalForm):
    class Meta:
        csrf = False

    name = StringField()
    count = IntegerField()


def test_binding_a_form_leaves_the_class_as_it_was(app):
    with app.test_request_context():
        before = (dict(_Example.name.kwargs), dict(_Example.count.kwargs))
        forms = [_Example(formdata=None) for _ in range(5)]
        assert (dict(_Example.name.kwargs), dict(_Example.count.kwargs)) == before
        assert all(len(form.name.filters) == 1 and len(form.count.validators) == 1 for form in forms)
    with app.test_request_context(method="POST", data={"name": "An\x00na\tB", "count": "99999999999"}):
        form = _Example()
        assert form.name.data == "Anna B" and not form.validate() and form.count.errors


class _Row(PortalSubform):
    amount = IntegerField()


class _WithChoice(PortalForm):
    class Meta:
        csrf = False

    kind = SelectField(choices=[("a", "A"), ("b", "B")])
    rows = FieldList(FormField(_Row), min_entries=1)


def _messages(app, language: str) -> tuple[str, str]:
    data = {"kind": "x", "rows-0-amount": "viele"}
    # An app context of its own, as each real request has: the language chosen is kept in `g`.
    with app.app_context(), app.test_request_context(method="POST", data=data, headers={"Accept-Language": language}):
        form = _WithChoice()
        assert not form.validate()
        return form.kind.errors[0], form.rows[0].amount.errors[0]


def test_wtforms_own_messages_speak_the_pages_language_in_forms_and_their_rows(app):
    # Read once per language and process: each language keeps its own words, in any order.
    for _ in range(2):
        assert _messages(app, "de") == ("Keine gültige Auswahl.", "Keine gültige, ganze Zahl.")
        assert _messages(app, "en") == ("Not a valid choice.", "Not a valid integer value.")
