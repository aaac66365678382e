"""CSV cells a spreadsheet would run as a formula get a leading apostrophe — wherever they sit
in a table, also when the table is checked as a whole first (the fast way for large tables)."""

from __future__ import annotations

import csv
import io

import pytest

from portal.csv_safe import to_csv


def _read(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_anywhere_in_the_table_is_neutralised(start):
    rows = [("Anna", 1, None), ("Ben", 2, f"{start}SUM(A1:A9)"), (f"{start}cmd", 3, "ok")]
    assert _read(to_csv(["Name", "Nr", "Notiz"], rows)) == [
        ["Name", "Nr", "Notiz"],
        ["Anna", "1", ""],
        ["Ben", "2", f"'{start}SUM(A1:A9)"],
        [f"'{start}cmd", "3", "ok"],
    ]


def test_numbers_and_plain_text_are_written_as_they_are():
    rows = iter([("Anna", -5, 1.5, None, True), ("a=b", 0, -0.25, "x-y", False)])
    assert _read(to_csv(["a", "b", "c", "d", "e"], rows))[1:] == [
        ["Anna", "-5", "1.5", "", "True"],
        ["a=b", "0", "-0.25", "x-y", "False"],
    ]


def test_the_header_is_neutralised_too():
    assert _read(to_csv(["=Name"], []))[0] == ["'=Name"]
