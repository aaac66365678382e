"""The base of every form: text cleaned at the door (`clean_text`), numbers that fit.

`PortalForm` (Flask-WTF, with CSRF) and `PortalSubform` (for FormField/FieldList rows) bind
every field through `CleanMeta.bind_field`, so a field declared anywhere gets the normaliser
and the number checks without repeating them."""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache

from babel.support import Translations
from flask import current_app, flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField, Form, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from portal.web.clean_text import clean_text
from portal.web.converters import LARGEST_ID
from portal.web.words import current_locale

LARGEST_INTEGER = LARGEST_ID  # integer columns are 32-bit on PostgreSQL: no id or quantity is larger
_TEXT_FIELD_TYPES = (
    "StringField",
    "TextAreaField",
    "EmailField",
    "SearchField",
    "TelField",
    "URLField",
    "MoneyField",
    "HiddenField",
    "PasswordField",
)


def _single_line(value):
    return clean_text(value)


def _multi_line(value):
    return clean_text(value, multiline=True)


def _fits(form, field):
    data = field.data
    if isinstance(data, bool) or data is None:
        return
    if isinstance(data, int) and abs(data) > LARGEST_INTEGER:
        raise ValidationError(_l("This number is too large."))
    if isinstance(data, float | Decimal) and (not math.isfinite(data) or abs(data) > LARGEST_INTEGER):
        raise ValidationError(_l("Please enter a normal number."))


def _coerces_to_int(unbound: UnboundField) -> bool:
    return issubclass(unbound.field_class, SelectField | RadioField) and unbound.kwargs.get("coerce") is int


@lru_cache(maxsize=8)
def _wtforms_messages(locale) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class CleanMeta:
    def get_translations(self, form):
        """WTForms' own messages ("Not a valid choice") in the page's language, read once per
        language and process: Flask-WTF reads the catalogue from disk again in every request
        that asks for one, a fifth of a millisecond for a history filter."""
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return None
        return _wtforms_messages(current_locale())

    def bind_field(self, form, unbound_field: UnboundField, options: dict):
        # The class's UnboundField is shared by every form made from it: its kwargs are copied,
        # never changed (adding to them once grew the filters by one per form ever bound).
        field_class = unbound_field.field_class
        kwargs = dict(unbound_field.kwargs)
        names = {cls.__name__ for cls in field_class.__mro__}
        if field_class.__name__ != "PasswordField" and names & set(_TEXT_FIELD_TYPES):
            cleaner = _multi_line if issubclass(field_class, TextAreaField) else _single_line
            kwargs["filters"] = [cleaner, *kwargs.get("filters", ())]
        if issubclass(field_class, IntegerField | DecimalField | FloatField) or _coerces_to_int(unbound_field):
            kwargs["validators"] = [*kwargs.get("validators", ()), _fits]
        return UnboundField(field_class, *unbound_field.args, name=unbound_field.name, **kwargs).bind(
            form=form, **options
        )


class PortalForm(FlaskForm):
    class Meta(CleanMeta):
        pass


class PortalSubform(Form):
    class Meta(CleanMeta):
        pass


def flash_errors(form) -> None:
    """A form posted from a page that redirects back: its errors as messages on that page."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
