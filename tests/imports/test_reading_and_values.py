"""Reading files as salon software writes them, and values as people write them."""

from __future__ import annotations

from datetime import date

import pytest

from portal.imports.reading import FileKind, ImportFileError, iter_rows, preview, sniff
from portal.imports.values import BadValue, parse_date, parse_yes_no, split_full_name

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("Nachname;Ort\r\nMüßig;Köln\r\n".encode("cp1252"), "cp1252", ";"),
        ("Nachname,Ort\nMüßig,Köln\n".encode(), "utf-8", ","),
        (b"\xef\xbb\xbf" + "Nachname;Ort\nMüßig;Köln\n".encode(), "utf-8-sig", ";"),
        ("Nachname\tOrt\r\nMüßig\tKöln\r\n".encode("utf-16"), "utf-16", "\t"),  # Excel's "Unicode text"
    ],
)
def test_encoding_and_delimiter_are_detected(data, encoding, delimiter):
    kind = sniff(data)
    assert (kind.file_format, kind.encoding, kind.delimiter) == ("csv", encoding, delimiter)
    assert preview(data, kind).rows == [["Müßig", "Köln"]]


def test_quoted_line_breaks_and_delimiters_stay_in_their_cell_and_row_numbers_count_records():
    data = 'Nachname;Notiz\r\n"Sommer";"Zeile 1\r\nZeile 2; mit Semikolon"\r\n\r\nWinter;\r\n'.encode("cp1252")
    rows = list(iter_rows(data, sniff(data)))
    assert rows == [
        (1, ["Nachname", "Notiz"]),
        (2, ["Sommer", "Zeile 1\r\nZeile 2; mit Semikolon"]),
        (4, ["Winter", ""]),
    ]


def test_a_wrong_encoding_chosen_by_hand_is_said_not_guessed():
    data = "Nachname\nMüßig\n".encode()
    with pytest.raises(ImportFileError) as error:
        list(iter_rows(data, FileKind("csv", "utf-16", ";")))
    assert error.value.code in ("wrong-encoding", "unreadable")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03.02.1985", date(1985, 2, 3)),
        ("3.2.85", date(1985, 2, 3)),
        ("3.2.26", date(2026, 2, 3)),  # two digits: the latest such year not after today
        ("3.2.27", date(1927, 2, 3)),
        ("1985-02-03", date(1985, 2, 3)),
        ("1985-02-03 00:00:00", date(1985, 2, 3)),
        ("31081", date(1985, 2, 3)),  # Excel's serial number
        ("31081.0", date(1985, 2, 3)),
    ],
)
def test_dates_as_germans_and_excel_write_them(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"), [("31.02.1990", "invalid-date"), ("Februar 1990", "date-format"), ("0", "date-format")]
)
def test_dates_that_do_not_exist_or_cannot_be_read(text, code):
    with pytest.raises(BadValue) as error:
        parse_date(text, TODAY)
    assert error.value.code == code


def test_yes_no_and_names():
    assert [parse_yes_no(v) for v in ("ja", "J", "x", "1", "Yes", "nein", "", "0", "-")] == [True] * 5 + [False] * 4
    with pytest.raises(BadValue):
        parse_yes_no("vielleicht")
    assert split_full_name("Sommer, Greta") == ("Sommer", "Greta")
    assert split_full_name("Greta Maria Sommer") == ("Sommer", "Greta Maria")
    assert split_full_name("Sommer") == ("Sommer", "")
