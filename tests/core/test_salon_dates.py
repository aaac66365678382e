"""A salon's "today" is its own calendar date, not UTC's: around midnight they differ, and
birthdays, deadlines and forgetting count in the salon's days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.models import Account
from portal.models import account as account_module


@pytest.mark.parametrize(
    "zone, utc_moment, expected",
    [
        ("Europe/Berlin", datetime(2026, 3, 14, 23, 30, tzinfo=UTC), date(2026, 3, 15)),  # winter: UTC+1
        ("Europe/Berlin", datetime(2026, 7, 14, 22, 30, tzinfo=UTC), date(2026, 7, 15)),  # summer: UTC+2
        ("Europe/Berlin", datetime(2026, 7, 14, 21, 59, tzinfo=UTC), date(2026, 7, 14)),
        ("America/New_York", datetime(2026, 7, 15, 3, 0, tzinfo=UTC), date(2026, 7, 14)),
    ],
)
def test_today_is_the_salons_date(zone, utc_moment, expected, monkeypatch):
    salon = Account(name="Salon", slug="salon", timezone=zone)
    monkeypatch.setattr(account_module, "utcnow", lambda: utc_moment)
    assert salon.today() == expected
    assert salon.local_date(utc_moment) == expected
