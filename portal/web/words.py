"""Labels from the modules' tables (lazy strings) translated once per language and process:
the catalogs do not change while a process runs, and a history page turns hundreds of labels
into text — each through Flask-Babel's context lookups when done with `str()`."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString

_TRANSLATED: dict[tuple, str] = {}
_LANGUAGES: dict[str, Locale] = {}


class _Language(Locale):
    """A language with its hash worked out once: Babel hashes a Locale from its five fields on
    every lookup, and a page looks up a few hundred labels and moments keyed by it."""

    def __init__(self, parsed: Locale):
        super().__init__(parsed.language, parsed.territory, parsed.script, parsed.variant, parsed.modifier)
        self._hash = Locale.__hash__(self)

    def __hash__(self) -> int:
        return self._hash


def language(code: str | Locale) -> Locale:
    """One `Locale` object per language and process. The formatting caches (days, times,
    amounts, labels) are keyed by the language, and Babel compares two Locale objects field by
    field in Python: a freshly parsed one per request or mail cost that on every cache hit
    (a thousand per access package); the same object is found by identity."""
    if isinstance(code, Locale):
        return code
    try:
        return _LANGUAGES[code]
    except KeyError:
        return _LANGUAGES.setdefault(code, _Language(Locale.parse(code)))


def force_locale(code: str | Locale):
    """Flask-Babel's `force_locale` with the process's one object for the language."""
    return flask_babel.force_locale(language(code))


def current_locale():
    """Flask-Babel's `get_locale()` in one lookup: the language it chose (or `force_locale` set)
    sits on its namespace in `g` once asked for (Flask-Babel 4.0, pinned). A history page asks
    a few hundred times; the public function costs three context lookups each time. `g` is read
    from Flask's context variable (`_cv_app`, Flask 3, pinned): through the `g` proxy each read
    cost ten times as much (0.87 against 0.09 µs)."""
    try:
        locale = _cv_app.get().g._flask_babel.babel_locale
    except (LookupError, AttributeError):  # no app context; not asked yet in this request
        return get_locale()
    return locale or get_locale()  # None: not chosen yet in this request


def current_timezone() -> ZoneInfo:
    """`get_timezone()` the same way, as the standard library's zone: Flask-Babel's is pytz's,
    whose conversion in Python cost a history page 0.3 ms (a hundred moments)."""
    try:
        zone = _cv_app.get().g._flask_babel.babel_tzinfo
    except (LookupError, AttributeError):
        zone = None
    return _standard_zone(zone or get_timezone())


@lru_cache(maxsize=64)
def _standard_zone(zone) -> ZoneInfo:
    return ZoneInfo(str(zone))


def current_translations():
    """`get_translations()` found once per request and language: Flask-Babel's own makes five
    context lookups and formats the language's name on every call, and a page's templates call
    it for each sentence (~20 per page, a few hundred on a history page). The pair remembered
    on Flask-Babel's namespace is kept while the language object in force is the same one;
    `force_locale` sets another (a mail in the recipient's language) and puts the old back."""
    try:
        namespace = _cv_app.get().g._flask_babel
    except (AttributeError, LookupError):  # not asked yet in this request, or no app at all
        return get_translations()
    locale = getattr(namespace, "babel_locale", None)
    remembered = getattr(namespace, "portal_translations", None)
    if remembered is not None and locale is not None and remembered[0] is locale:
        return remembered[1]
    translations = get_translations()
    namespace.portal_translations = (namespace.babel_locale, translations)
    return translations


def install_template_gettext(jinja_env) -> None:
    """The templates' `_()`, `ngettext()`, … through `current_translations` (they replace the
    ones Flask-Babel installed, which look the translations up again for every call)."""
    jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )


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
