"""Text as people meant it, before any form sees it: one normaliser for every text field.

- Unicode NFC, so "Müller" typed on a Mac (u + combining diaeresis) equals the one from Windows;
- NUL, the other C0 and the C1 control characters, DEL and the XML non-characters U+FFFE/U+FFFF
  removed — PostgreSQL refuses NUL, openpyxl refuses most C0 characters, nobody can see them;
- Word's manual line break (\\x0b), the form feed (\\x0c), NEL and the Unicode line and paragraph
  separators become line breaks in multi-line fields; in single-line fields every line break or
  tab becomes a space;
- percent-escapes of Latin-1 bytes that a form in an old encoding sent ("M%FCller") — which
  werkzeug leaves as they are because they are no UTF-8 — are decoded as Windows-1252.
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile("\r\n|[\x0b\x0c\x85\u2028\u2029]")
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_LATIN1_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _repair_latin1(match: re.Match) -> str:
    raw = bytes.fromhex(match.group(0).replace("%", ""))
    try:
        raw.decode("utf-8")
        return match.group(0)  # valid UTF-8 would have been decoded by werkzeug: typed literally
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean_text(value: str | None, multiline: bool = False) -> str | None:
    if not isinstance(value, str):
        return value
    if value.isprintable() and "%" not in value:
        # Nothing to remove or repair (no control character, line break or escape): only NFC.
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    value = _LATIN1_ESCAPES.sub(_repair_latin1, value)
    value = unicodedata.normalize("NFC", value)
    value = _LINE_BREAKS.sub("\n", value)
    value = _INVISIBLE.sub("", value)
    if multiline:
        return value.replace("\r", "\n")
    return re.sub("[\t\r\n]+", " ", value)
