"""Labels from the modules' tables (lazy strings) translated once per language and process:
the catalogs do not change while a process runs, and a history page turns hundreds of labels
into text — each through Flask-Babel's context lookups when done with `str()`."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel.speaklater import LazyString

_TRANSLATED: dict[tuple, str] = {}


def word(text) -> str:
    """`str(text)`, remembered for a lazy string without variables (a table's label)."""
    if not isinstance(text, LazyString) or text._kwargs:
        return str(text)
    key = (get_locale(), text._args)
    try:
        return _TRANSLATED[key]
    except KeyError:
        translated = _TRANSLATED[key] = str(text)
        return translated
