"""Reading the previous software's file: what it is (CSV or XLSX by its content, not its name),
its encoding and delimiter, and its rows as lists of text.

German exports are often Windows-1252 with semicolons, Excel's "Unicode text" is UTF-16 with
tabs, newer tools write UTF-8 with or without BOM. A BOM decides; else strict UTF-8 is tried
(it almost never decodes text of another encoding by chance); else charset-normalizer chooses
among the single-byte encodings such files come in. The delimiter is csv.Sniffer's, limited to
the three that occur, with a count of the header line as the fallback.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

MAX_BYTES = 50 * 1024 * 1024
SAMPLE_BYTES = 256 * 1024
PREVIEW_ROWS = 20

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "cp1252": "Windows-1252",
    "iso-8859-15": "ISO-8859-15",
    "utf-16": "UTF-16",
    "mac-roman": "Mac Roman",
}
DELIMITERS = (";", ",", "\t")
# What charset-normalizer may choose for a file that is not UTF-8.
SINGLE_BYTE = ["cp1252", "iso8859_15", "mac_roman"]
_NORMALISED = {"cp1252": "cp1252", "windows-1252": "cp1252", "iso8859_15": "iso-8859-15", "mac_roman": "mac-roman"}

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls


class ImportFileError(Exception):
    """A file the import cannot read; `code` names the message (`imports.labels.FILE_ERRORS`)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class FileKind:
    file_format: str  # csv, xlsx
    encoding: str = ""
    delimiter: str = ""


def sniff(data: bytes) -> FileKind:
    """What the file is. Raises ImportFileError for empty, too large, binary or old-Excel files."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("too-large")
    if not data.strip():
        raise ImportFileError("empty")
    if data.startswith(ZIP_SIGNATURE):
        return FileKind("xlsx")
    if data.startswith(OLE_SIGNATURE):
        raise ImportFileError("old-excel")
    encoding = detect_encoding(data[:SAMPLE_BYTES])
    sample = _decode_sample(data[:SAMPLE_BYTES], encoding)
    return FileKind("csv", encoding, detect_delimiter(sample))


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportFileError("binary")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a cut character at the end is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only for a file that is not UTF-8: `portal.lazy_imports`

    best = charset_normalizer.from_bytes(sample, cp_isolation=SINGLE_BYTE).best()
    return _NORMALISED.get(best.encoding, "cp1252") if best else "cp1252"


def _decode_sample(sample: bytes, encoding: str) -> str:
    try:
        text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=False)
    except UnicodeError as exc:  # UTF-16 without its BOM raises the parent class
        raise ImportFileError("wrong-encoding") from exc
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(3, len(text) // 200):
        raise ImportFileError("binary")
    return text


def detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ";"
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ";"


# --- rows -------------------------------------------------------------------------------------


def iter_rows(data: bytes, kind: FileKind) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, text cells) of every row, the header first; rows
    without any text are left out. Excel's dates come as JJJJ-MM-TT, whole numbers without
    ".0", formulas as their text."""
    rows = _xlsx_rows(data) if kind.file_format == "xlsx" else _csv_rows(data, kind)
    for number, row in enumerate(rows, start=1):
        if any(cell.strip() for cell in row):
            yield number, row


def _csv_rows(data: bytes, kind: FileKind) -> Iterator[list[str]]:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=kind.encoding, newline="", errors="strict")
    try:
        yield from csv.reader(stream, delimiter=kind.delimiter or ";")
    except UnicodeError as exc:  # UTF-16 without its BOM raises the parent class
        raise ImportFileError("wrong-encoding") from exc
    except csv.Error as exc:  # e.g. a NUL in the middle of a text file
        raise ImportFileError("unreadable") from exc


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula is read as its text and never evaluated or trusted.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a ZIP that is no workbook (or a damaged one)
        raise ImportFileError("unreadable") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def estimate_rows(data: bytes, kind: FileKind) -> int:
    """Rows after the header, for a progress bar (a line break inside a quoted cell counts)."""
    if kind.file_format == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True)
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 1)
        finally:
            workbook.close()
    return max(data.count(b"\n") - 1, 1)  # in UTF-16 too: one 0x0A byte per line break


@dataclass
class Preview:
    headers: list[str]
    rows: list[list[str]]


_BLANK = re.compile(r"\s+")


def preview(data: bytes, kind: FileKind) -> Preview:
    """The header row and the first rows after it, every row as wide as the widest."""
    rows = []
    for _number, row in iter_rows(data, kind):
        rows.append(row)
        if len(rows) > PREVIEW_ROWS:
            break
    if not rows:
        raise ImportFileError("empty")
    width = max(len(row) for row in rows)
    headers = [_BLANK.sub(" ", cell).strip() for cell in rows[0]] + [""] * (width - len(rows[0]))
    if len(rows) == 1:
        raise ImportFileError("only-headers")
    return Preview(headers, [row + [""] * (width - len(row)) for row in rows[1:]])
