"""Legal deadlines of privacy requests (Art. 12(3) GDPR), computed in the salon's calendar.

Month arithmetic per Regulation (EEC, Euratom) No 1182/71: a period of months ends on the day
of the last month with the same date as the day the period began; where that month has no
such date, on its last day (Art. 3(2)(c)). A period ending on a Saturday, Sunday or public
holiday ends at the end of the next working day (Art. 3(4)). Public holidays are those of the
salon's German state.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

ANSWER_MONTHS = 1  # Art. 12(3) sentence 1
MAX_EXTENSION_MONTHS = 2  # Art. 12(3) sentence 2: "by two further months"


def add_months(start: date, months: int) -> date:
    """Same date `months` later, or the last day of that month when it has no such date."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _holidays(state: str, year: int) -> frozenset[date]:
    import holidays  # imported once, when a deadline is first computed: `portal.lazy_imports`

    return frozenset(holidays.Germany(subdiv=state or None, years=year).keys())


def is_working_day(day: date, state: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(state, day.year)


def roll_to_working_day(day: date, state: str) -> date:
    while not is_working_day(day, state):
        day += timedelta(days=1)
    return day


def due_date(received_on: date, state: str, extension_months: int = 0) -> date:
    """The last day to answer a request received on `received_on` (local date)."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("an extension is at most two further months")
    return roll_to_working_day(add_months(received_on, ANSWER_MONTHS + extension_months), state)


def days_left(due: date, today: date) -> int:
    """Calendar days until the due date (0 on the day itself, negative when overdue)."""
    return (due - today).days
