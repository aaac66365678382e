"""Local time in SQL for SQLite, which knows no time zones: the zone's UTC offset changes since
1970 (from zoneinfo) become a nested CASE that picks the offset in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from portal.models.base import utcnow


@lru_cache(maxsize=16)
def _utc_offset_changes(zone_name: str, until_year: int) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The zone's UTC offset on 1 January 1970 in minutes, and every change since, oldest first:
    (UTC moment as SQLite stores it, offset in minutes from then on)."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    day = datetime(1970, 1, 1, tzinfo=UTC)
    end = datetime(until_year + 1, 1, 1, tzinfo=UTC)
    first = current = offset(day)
    changes = []
    while day < end:
        following = day + timedelta(days=1)
        if offset(following) != current:
            low, high = day, following  # the change lies in (low, high]: narrow it to the minute
            while high - low > timedelta(minutes=1):
                middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            current = offset(high)
            changes.append((high.strftime("%Y-%m-%d %H:%M:%S"), current))
        day = following
    return first, tuple(changes)


def sqlite_local_time(expr: str, zone: ZoneInfo) -> str:
    """SQLite has no time zones: the offset in force is found among the zone's changes by a
    nested CASE that halves the range at each level (seven comparisons for Berlin's hundred
    changes since 1970, NULLs included), then applied as a modifier."""
    first, changes = _utc_offset_changes(str(zone), utcnow().year + 1)
    offsets = [first] + [minutes for _moment, minutes in changes]

    def segment(low: int, high: int) -> str:
        """The offset for a time known to lie in segments low..high (segment k starts at change k)."""
        if low == high:
            return f"'{offsets[low]:+d} minutes'"
        middle = (low + high + 1) // 2
        return (f"CASE WHEN {expr} >= '{changes[middle - 1][0]}' THEN {segment(middle, high)} "
                f"ELSE {segment(low, middle - 1)} END")

    return f"strftime('%Y-%m-%d %H:%M', {expr}, {segment(0, len(changes))})"
