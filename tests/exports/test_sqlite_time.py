"""SQLite's local times (nested CASE over the zone's offset changes) agree with Python's zoneinfo
for any instant since 1970, in zones north and south of the equator, east and west of UTC."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.exports import sqlite_time
from portal.exports.sqlite_time import sqlite_local_datetime


@pytest.mark.parametrize(
    "zone_name", ["Europe/Berlin", "Australia/Sydney", "America/New_York", "Asia/Kolkata", "America/St_Johns"]
)
def test_sqlite_local_time_matches_zoneinfo(zone_name):
    zone = ZoneInfo(zone_name)
    rng = random.Random(zone_name)
    start = datetime(1970, 1, 2, tzinfo=UTC)
    moments = [start + timedelta(minutes=rng.randrange(0, 57 * 365 * 24 * 60)) for _ in range(3000)]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER, at TEXT)")
    # Stored as SQLAlchemy stores UTC on SQLite: naive, with microseconds.
    conn.executemany(
        "INSERT INTO t VALUES (?, ?)",
        [(n, m.strftime("%Y-%m-%d %H:%M:%S.%f")) for n, m in enumerate(moments)] + [(-1, None)],
    )
    rows = dict(conn.execute(f"SELECT n, substr({sqlite_local_datetime('at', zone)}, 1, 16) FROM t"))
    expected = {n: m.astimezone(zone).strftime("%Y-%m-%d %H:%M") for n, m in enumerate(moments)}
    assert {n: rows[n] for n in expected} == expected
    assert rows[-1] is None


@pytest.mark.parametrize(
    "zone_name",
    [
        "America/Noronha",
        "America/Boa_Vista",
        "Africa/Casablanca",
        "Africa/Cairo",
        "Pacific/Apia",
        "Australia/Lord_Howe",
        "Asia/Gaza",
        "Europe/Berlin",
    ],
)
def test_probing_every_three_days_finds_every_change_probing_daily_finds(zone_name, monkeypatch):
    """Zones whose offset changed and changed back within weeks (the closest: six days in
    Brazil, October 2000) lose no change to the three-day probe."""
    three_days = sqlite_time._utc_offset_changes.__wrapped__(zone_name, 2027)
    monkeypatch.setattr(sqlite_time, "PROBE_STEP", timedelta(days=1))
    assert sqlite_time._utc_offset_changes.__wrapped__(zone_name, 2027) == three_days
    assert len(three_days[1]) > 0
