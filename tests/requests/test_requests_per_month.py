"""The cockpit's requests per month: counted by the database in the salon's calendar months —
a request received at half past midnight on the first of a month in Berlin (still the last
day of the previous month in UTC) belongs to the new month, also across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.audit import Actor
from portal.dashboard.cockpit import requests_per_month
from portal.extensions import db
from portal.models import Customer
from portal.requests.service import record_staff_request
from tests import factories


def _received(salon, at: datetime) -> None:
    customer = db.session.get(Customer, factories.make_customer(salon.account, f"Kundin {at:%m%d%H}"))
    with factories.travel_to(at):
        record_staff_request(Actor(salon.account.id, None), customer, "access", "letter", "", salon.location.id)


def test_requests_fall_into_the_salons_calendar_months(salon, other_salon):
    for moment in (
        datetime(2025, 12, 31, 22, 30, tzinfo=UTC),  # 23:30 on 31 December in Berlin: a year ago
        datetime(2026, 1, 31, 22, 30, tzinfo=UTC),  # 23:30 on 31 January in Berlin
        datetime(2026, 1, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 February in Berlin
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night summer time begins: March
        datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # 00:30 on 1 April (summer time, UTC+2)
        datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 November (winter time again)
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    ):
        _received(salon, moment)
    _received(other_salon, datetime(2026, 5, 5, 10, 0, tzinfo=UTC))  # another salon's

    with factories.travel_to(datetime(2026, 12, 6, 12, 0, tzinfo=UTC)):
        months = requests_per_month(salon.account)

    assert [m.month for m in months] == [date(2026, n, 1) for n in range(1, 13)]
    assert {m.month.month: m.count for m in months if m.count} == {1: 1, 2: 1, 3: 1, 4: 1, 11: 1, 12: 1}
