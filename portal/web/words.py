"""Labels from the modules' tables (lazy strings) translated once per language and process:
the catalogs do not change while a process runs, and a history page turns hundreds of labels
into text — each through Flask-Babel's context lookups when done with `str()`."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale, get_timezone
from flask_babel.speaklater import LazyString

_TRANSLATED: dict[tuple, str] = {}


def current_locale():
    """Flask-Babel's `get_locale()` in one lookup: the language it chose (or `force_locale` set)
    sits on its namespace in `g` once asked for (Flask-Babel 4.0, pinned). A history page asks
    a few hundred times; the public function costs three context lookups each time."""
    try:
        locale = g._flask_babel.babel_locale
    except AttributeError:
        return get_locale()
    return locale or get_locale()  # None: not chosen yet in this request


def current_timezone():
    """`get_timezone()` the same way."""
    try:
        zone = g._flask_babel.babel_tzinfo
    except AttributeError:
        return get_timezone()
    return zone or get_timezone()


def word(text) -> str:
    """`str(text)`, remembered for a lazy string without variables (a table's label)."""
    if not isinstance(text, LazyString) or text._kwargs:
        return str(text)
    key = (current_locale(), text._args)
    try:
        return _TRANSLATED[key]
    except KeyError:
        translated = _TRANSLATED[key] = str(text)
        return translated
