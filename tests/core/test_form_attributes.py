"""`portal.web.form_attributes.html_params` writes exactly what WTForms' own writes: for the
attribute kinds (flags, numbers, text with quotes and markup, data-/aria- names, trailing
underscores) and for every field and widget the portal renders, in the portal's forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.web import form_attributes
from portal.web.forms import PortalForm

ATTRIBUTES = [
    {},
    {"name": "q", "id": "q", "value": "Müller & Söhne"},
    {"required": True, "disabled": False, "checked": True},
    {"value": 'say "hi" <b>', "class_": "wide", "for_": "x"},
    {"data_hx_target": "#rows", "aria_invalid": "true", "aria_describedby": "phone-msg"},
    {"maxlength": 100, "step": Decimal("0.01"), "min": 0},
    {"value": Markup('<i class="x">ok</i>'), "title": Markup("a &amp; b")},
    {"placeholder": "'single' quotes", "lang": None},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_the_same_attributes_as_wtforms_writes(attributes):
    expected = form_attributes._original(**attributes)
    written = form_attributes.html_params(**attributes)
    assert written == expected and isinstance(written, Markup)


class _EveryField(PortalForm):
    name = StringField("Name <em>", validators=[DataRequired(), Length(max=100)])
    email = EmailField("Email")
    notes = TextAreaField("Notes", default='He said "no" & <left>')
    secret = PasswordField("Password")
    hidden = HiddenField(default='x"y')
    count = IntegerField("Count", default=3)
    amount = DecimalField("Amount", places=2, default=Decimal("12.5"))
    day = DateField("Day", default=date(2026, 12, 7))
    agree = BooleanField("Agree", default=True)
    country = SelectField("Country", choices=[("DE", "Deutschland"), ("AT", "Österreich")], default="AT")
    many = SelectMultipleField("Many", choices=[("a", "A & B"), ("b", '"B"')], default=["b"])
    kind = RadioField("Kind", choices=[("x", "X"), ("y", "Y")], default="y")
    save = SubmitField("Save")


def test_every_field_renders_as_with_wtforms_own_function(app, monkeypatch):
    with app.test_request_context("/"):
        form = _EveryField(meta={"csrf": False})
        fast = {
            name: (str(field(aria_invalid="false", class_="c")), str(field.label))
            for name, field in form._fields.items()
        }
        monkeypatch.setattr(form_attributes.core, "html_params", form_attributes._original)
        monkeypatch.setattr(form_attributes.widgets, "html_params", form_attributes._original)
        monkeypatch.setattr(form_attributes.core.Input, "html_params", staticmethod(form_attributes._original))
        monkeypatch.setattr(form_attributes.core.Button, "html_params", staticmethod(form_attributes._original))
        original = {
            name: (str(field(aria_invalid="false", class_="c")), str(field.label))
            for name, field in form._fields.items()
        }
    assert fast == original
    assert 'value="x&#34;y"' in fast["hidden"][0] and "Name &lt;em&gt;" in fast["name"][1]


def test_the_app_renders_forms_with_the_fast_function(app):
    assert form_attributes.core.html_params is form_attributes.html_params
    assert form_attributes.core.Input.html_params is form_attributes.html_params
