"""URL converters that turn impossible values into 404s instead of database errors.

An id beyond the 32-bit integer columns (`/customers/99999999999999999999`) made SQLite raise
OverflowError and PostgreSQL "integer out of range" — a 500. A path segment with a control
character (a NUL, which PostgreSQL refuses in any text) is no slug or token either."""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

LARGEST_ID = 2**31 - 1
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class IdConverter(IntegerConverter):
    """Digits beyond the column's range become -1, a number no row has (and truthy, unlike 0,
    which a view may read as "none given"): the view's lookup answers 404 (refusing in the converter instead makes werkzeug answer 405 when another rule has the
    same path for other methods)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= LARGEST_ID else -1


class TextConverter(UnicodeConverter):
    def to_python(self, value: str) -> str:
        if _CONTROL.search(value):
            raise ValidationError()
        return value


def install(app) -> None:
    """Before any route is added: the rules take their converter when they are registered."""
    app.url_map.converters.update({"int": IdConverter, "default": TextConverter, "string": TextConverter})


def id_arg(value: str) -> int:
    """`request.args.get("after", type=id_arg)`: a number that can be an id, else the default
    (werkzeug treats the ValueError as "not given")."""
    number = int(value)
    if not 0 < number <= LARGEST_ID:
        raise ValueError(value)
    return number
