"""A count remembered for a minute is counted once per salon within it, and again after."""

from __future__ import annotations

from portal.remembered import remembered
from portal.tasks import redis_connection


def test_counted_once_per_salon_within_the_minute(app):
    calls = []

    def count(value):
        calls.append(value)
        return value

    assert remembered(1, "customers", lambda: count(10)) == 10
    assert remembered(1, "customers", lambda: count(99)) == 10  # remembered
    assert remembered(2, "customers", lambda: count(7)) == 7  # another salon counts its own
    assert calls == [10, 7]
    assert 0 < redis_connection().ttl("remembered:1:customers") <= 60
    redis_connection().delete("remembered:1:customers")  # the minute is over
    assert remembered(1, "customers", lambda: count(11)) == 11
    assert remembered(1, "reach", lambda: {"email": 3, "sms": 1}) == {"email": 3, "sms": 1}
