"""The legal due date of a privacy request (Art. 12(3) GDPR with Regulation 1182/71)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.requests.deadlines import add_months, days_left, due_date, is_working_day


@pytest.mark.parametrize(
    ("received", "state", "expected", "why"),
    [
        (date(2026, 3, 10), "BE", date(2026, 4, 10), "same date next month, a Friday"),
        (date(2026, 1, 31), "BE", date(2026, 3, 2), "no 31 February: 28 February 2026 is a Saturday -> Monday"),
        (date(2028, 1, 31), "BE", date(2028, 2, 29), "leap year: 29 February 2028, a Tuesday"),
        (date(2027, 1, 31), "BE", date(2027, 3, 1), "28 February 2027 is a Sunday -> Monday"),
        (date(2026, 3, 30), "BE", date(2026, 4, 30), "30 April 2026, a Thursday"),
        (date(2026, 4, 1), "BE", date(2026, 5, 4), "1 May holiday (Friday) -> weekend -> Monday 4 May"),
        (date(2026, 2, 6), "BE", date(2026, 3, 6), "6 March 2026 is a Friday and a working day"),
        (date(2026, 12, 24), "BE", date(2027, 1, 25), "24 January 2027 is a Sunday -> Monday"),
        (date(2026, 11, 1), "BY", date(2026, 12, 1), "1 December 2026, a Tuesday"),
        (date(2026, 5, 15), "BY", date(2026, 6, 15), "15 June 2026, a Monday"),
        (
            date(2026, 5, 4),
            "BY",
            date(2026, 6, 5),
            "4 June 2026: Corpus Christi in Bavaria (Thursday) -> Friday 5 June",
        ),
        (date(2026, 5, 4), "BE", date(2026, 6, 4), "4 June 2026 is a working day in Berlin"),
        (date(2026, 9, 20), "TH", date(2026, 10, 20), "20 October, a Tuesday"),
        (
            date(2026, 8, 20),
            "TH",
            date(2026, 9, 21),
            "20 September is Weltkindertag in Thüringen and a Sunday -> Monday",
        ),
    ],
)
def test_due_dates(received, state, expected, why):
    assert due_date(received, state) == expected, why


def test_extension_of_two_further_months():
    assert due_date(date(2026, 1, 31), "BE", extension_months=2) == date(2026, 4, 30)
    assert due_date(date(2026, 1, 15), "BE", extension_months=1) == date(2026, 3, 16)  # 15 March is a Sunday
    with pytest.raises(ValueError):
        due_date(date(2026, 1, 15), "BE", extension_months=3)


def test_month_arithmetic_and_working_days():
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 10, 31), 1) == date(2026, 11, 30)
    assert not is_working_day(date(2026, 10, 3), "BE")  # Tag der Deutschen Einheit
    assert not is_working_day(date(2026, 3, 8), "BE")  # Frauentag in Berlin (and a Sunday)
    assert not is_working_day(date(2027, 3, 8), "BE")  # Frauentag 2027 is a Monday: a holiday in Berlin
    assert is_working_day(date(2027, 3, 8), "HH")  # but not in Hamburg
    assert days_left(date(2026, 3, 2), date(2026, 2, 28)) == 2
    assert days_left(date(2026, 3, 2), date(2026, 3, 4)) == -2
